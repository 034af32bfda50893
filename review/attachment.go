package review

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Attachment limits.
const (
	MaxAttachmentSize = 20 << 20 // bytes of one file
	MaxAttachments    = 10       // files per application
	maxFileNameLen    = 200      // characters kept of an uploaded name
)

// Attachment is one file of the technical dossier. Its content lives in the
// store's file area under "<application id>/<attachment id>".
type Attachment struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`         // pdf, png, jpeg, docx, xlsx, pptx, doc, xls, ppt
	ContentType string    `json:"content_type"` // as detected from the content
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  string    `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

func fileID(appID, attID string) string { return appID + "/" + attID }

var kinds = map[string]string{
	"pdf":  "application/pdf",
	"png":  "image/png",
	"jpeg": "image/jpeg",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"doc":  "application/msword",
	"xls":  "application/vnd.ms-excel",
	"ppt":  "application/vnd.ms-powerpoint",
}

var ole2Magic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// DetectKind tells from the content (never the name) what a dossier file
// is: PDF, PNG, JPEG, an Office Open XML document (a zip with
// [Content_Types].xml and the word/, xl/ or ppt/ part), or a legacy Word,
// Excel or PowerPoint file (OLE2). Anything else is invalid input.
func DetectKind(data []byte) (kind, contentType string, err error) {
	if len(data) == 0 {
		return "", "", kedaitong.Invalid("file", "the file is empty").ZHf("文件为空")
	}
	bad := kedaitong.Invalid("file", "the content is not a PDF, PNG or JPEG image, or Word, Excel or PowerPoint document (checked by content, not by name)").ZHf("文件内容不是 PDF、PNG 或 JPEG 图片，也不是 Word、Excel 或 PowerPoint 文档（按内容而非文件名判断）")
	switch ct := http.DetectContentType(data); {
	case ct == "application/pdf":
		return "pdf", ct, nil
	case ct == "image/png":
		return "png", ct, nil
	case ct == "image/jpeg":
		return "jpeg", ct, nil
	case ct == "application/zip":
		k := ooxmlKind(data)
		if k == "" {
			return "", "", kedaitong.Invalid("file", "the zip archive is not a Word, Excel or PowerPoint document").ZHf("该 ZIP 压缩包不是 Word、Excel 或 PowerPoint 文档")
		}
		return k, kinds[k], nil
	case bytes.HasPrefix(data, ole2Magic):
		k := ole2Kind(data)
		if k == "" {
			return "", "", kedaitong.Invalid("file", "the compound file is not a Word, Excel or PowerPoint document").ZHf("该复合文档不是 Word、Excel 或 PowerPoint 文档")
		}
		return k, kinds[k], nil
	}
	return "", "", bad
}

// ooxmlKind inspects a zip: an OOXML package has [Content_Types].xml
// declaring its main part, and that part.
func ooxmlKind(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return ""
	}
	var types string
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		if f.Name == "[Content_Types].xml" && f.UncompressedSize64 < 1<<20 {
			rc, err := f.Open()
			if err != nil {
				return ""
			}
			b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
			rc.Close()
			if err != nil {
				return ""
			}
			types = string(b)
		}
	}
	if types == "" {
		return ""
	}
	switch {
	case names["word/document.xml"] && strings.Contains(types, "wordprocessingml"):
		return "docx"
	case names["xl/workbook.xml"] && strings.Contains(types, "spreadsheetml"):
		return "xlsx"
	case names["ppt/presentation.xml"] && strings.Contains(types, "presentationml"):
		return "pptx"
	}
	return ""
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

var (
	oleWord  = utf16le("WordDocument")
	oleExcel = [][]byte{utf16le("Workbook"), utf16le("Book\x00")}
	olePPT   = utf16le("PowerPoint Document")
)

// ole2Kind finds the main stream's name among a compound file's directory
// entries (UTF-16 names).
func ole2Kind(data []byte) string {
	switch {
	case bytes.Contains(data, oleWord):
		return "doc"
	case bytes.Contains(data, oleExcel[0]) || bytes.Contains(data, oleExcel[1]):
		return "xls"
	case bytes.Contains(data, olePPT):
		return "ppt"
	}
	return ""
}

// CleanFileName keeps the base of an uploaded name, without control
// characters or path separators, at most maxFileNameLen characters.
func CleanFileName(name, kind string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == '"' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || strings.TrimSpace(name) == "" {
		name = "dossier." + kind
	}
	if r := []rune(name); len(r) > maxFileNameLen {
		name = string(r[len(r)-maxFileNameLen:])
	}
	return name
}

func (s *Service) editable(ctx context.Context, actor identity.User, id string) (Application, int64, error) {
	a, ver, err := s.loadFor(ctx, actor, id)
	if err != nil {
		return a, 0, err
	}
	if !Owns(actor, &a) {
		return a, 0, kedaitong.Errorf(kedaitong.EForbidden, "only the owning bank changes the dossier").ZHf("只有申请所属的银行可以修改申请材料")
	}
	if a.State != StateDraft {
		return a, 0, kedaitong.Errorf(kedaitong.EConflict, "the application is %s: only a draft's dossier can change", a.State).ZHf("贷款申请当前状态为 %s：只有草稿的材料可以修改", a.State)
	}
	return a, ver, nil
}

// ReadAttachment reads an uploaded file of at most MaxAttachmentSize bytes
// and tells its kind from its content (DetectKind): over the limit is
// ETooLarge, an unreadable or unaccepted file EInvalid. Every part that
// takes documents (dossiers, consultation answers) reads them through it.
func ReadAttachment(r io.Reader) (data []byte, kind, contentType string, err error) {
	data, err = io.ReadAll(io.LimitReader(r, MaxAttachmentSize+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", "", tooLarge()
		}
		return nil, "", "", kedaitong.Wrap(kedaitong.EInvalid, err, "the file could not be read").ZHf("无法读取该文件")
	}
	if len(data) > MaxAttachmentSize {
		return nil, "", "", tooLarge()
	}
	kind, contentType, err = DetectKind(data)
	if err != nil {
		return nil, "", "", err
	}
	return data, kind, contentType, nil
}

func tooLarge() error {
	return kedaitong.Errorf(kedaitong.ETooLarge, "a file may have at most %d bytes (20 MiB)", MaxAttachmentSize).ZHf("单个文件最大 %d 字节（20 MiB）", MaxAttachmentSize)
}

// AddAttachment adds a file to a draft's dossier: at most MaxAttachments
// files of at most MaxAttachmentSize bytes, of a kind DetectKind accepts.
func (s *Service) AddAttachment(ctx context.Context, actor identity.User, id, name string, r io.Reader) (Attachment, error) {
	a, ver, err := s.editable(ctx, actor, id)
	if err != nil {
		return Attachment{}, err
	}
	if len(a.Attachments) >= MaxAttachments {
		return Attachment{}, kedaitong.Errorf(kedaitong.EConflict, "the dossier has %d files already, the most an application may have", MaxAttachments).ZHf("申请材料已有 %d 个文件，已达上限", MaxAttachments)
	}
	data, kind, ct, err := ReadAttachment(r)
	if err != nil {
		return Attachment{}, err
	}
	now := s.now()
	att := Attachment{ID: newID("att-"), Name: CleanFileName(name, kind), Kind: kind, ContentType: ct, UploadedBy: actor.ID, UploadedAt: now}
	meta, err := s.st.Files().PutFile(ctx, fileID(a.ID, att.ID), store.FileMeta{Name: att.Name, ContentType: ct, Created: now}, bytes.NewReader(data), MaxAttachmentSize)
	if err != nil {
		return Attachment{}, err
	}
	att.Size, att.SHA256 = meta.Size, meta.SHA256
	a.Attachments = append(a.Attachments, att)
	a.UpdatedAt = now
	if _, err := s.apps.Replace(ctx, a.ID, ver, a); err != nil {
		_ = s.st.Files().DeleteFile(context.WithoutCancel(ctx), fileID(a.ID, att.ID))
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Attachment{}, kedaitong.Wrap(kedaitong.EConflict, err, "the application changed at the same time; try again").ZHf("贷款申请同时被修改了，请重试")
		}
		return Attachment{}, err
	}
	s.record(ctx, &actor, "application.attach", &a, map[string]any{"attachment": att.ID, "name": att.Name, "kind": kind, "size": att.Size})
	return att, nil
}

// OpenAttachment returns a dossier file to whoever may read the application.
func (s *Service) OpenAttachment(ctx context.Context, actor identity.User, id, attID string) (io.ReadCloser, Attachment, error) {
	a, _, err := s.loadFor(ctx, actor, id)
	if err != nil {
		return nil, Attachment{}, err
	}
	for _, att := range a.Attachments {
		if att.ID == attID {
			rc, _, err := s.st.Files().OpenFile(ctx, fileID(a.ID, att.ID))
			if err != nil {
				return nil, Attachment{}, err
			}
			return rc, att, nil
		}
	}
	return nil, Attachment{}, kedaitong.Errorf(kedaitong.ENotFound, "no attachment %q on application %s", attID, id).ZHf("贷款申请 %[2]s 中没有附件 %[1]q", attID, id)
}

// DeleteAttachment removes a file from a draft's dossier.
func (s *Service) DeleteAttachment(ctx context.Context, actor identity.User, id, attID string) error {
	a, ver, err := s.editable(ctx, actor, id)
	if err != nil {
		return err
	}
	var gone *Attachment
	kept := a.Attachments[:0:0]
	for i := range a.Attachments {
		if a.Attachments[i].ID == attID {
			gone = &a.Attachments[i]
			continue
		}
		kept = append(kept, a.Attachments[i])
	}
	if gone == nil {
		return kedaitong.Errorf(kedaitong.ENotFound, "no attachment %q on application %s", attID, id).ZHf("贷款申请 %[2]s 中没有附件 %[1]q", attID, id)
	}
	att := *gone
	a.Attachments, a.UpdatedAt = kept, s.now()
	if _, err := s.apps.Replace(ctx, a.ID, ver, a); err != nil {
		return err
	}
	if err := s.st.Files().DeleteFile(ctx, fileID(a.ID, att.ID)); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return err
	}
	s.record(ctx, &actor, "application.detach", &a, map[string]any{"attachment": att.ID, "name": att.Name})
	return nil
}
