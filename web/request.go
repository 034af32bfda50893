package web

import (
	"bytes"
	"errors"
	"io"
	"kedaitong"
	"kedaitong/intel"
	"kedaitong/review"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// BindOptionalJSON is BindJSON for bodies that may be left out entirely.
func BindOptionalJSON(c *gin.Context, v any) error {
	b, err := ReadBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return kedaitong.Errorf(kedaitong.EUnsupported, "send the body as application/json").ZHf("请求体应以 application/json 发送")
	}
	return DecodeStrict(b, v)
}

// DossierUpload returns the uploaded file's name and content: the multipart
// part named "file", or else the raw body named by ?filename= or the
// Content-Disposition header.
func DossierUpload(c *gin.Context) (string, io.Reader, error) {
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == "multipart/form-data" {
		if params["boundary"] == "" {
			return "", nil, kedaitong.Invalid("file", "the multipart body has no boundary").ZHf("multipart 请求体没有 boundary")
		}
		mr, err := c.Request.MultipartReader()
		if err != nil {
			return "", nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the multipart body could not be read").ZHf("无法读取 multipart 请求体")
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return "", nil, kedaitong.Invalid("file", "send the file as the multipart field \"file\"").ZHf("请将文件放在 multipart 字段 \"file\" 中发送")
			}
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return "", nil, kedaitong.Errorf(kedaitong.ETooLarge, "the upload is over %d bytes", mbe.Limit).ZHf("上传内容超过 %d 字节", mbe.Limit)
				}
				return "", nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the multipart body could not be read").ZHf("无法读取 multipart 请求体")
			}
			if p.FormName() == "file" {
				return p.FileName(), p, nil
			}
		}
	}
	name := c.Query("filename")
	if name == "" {
		if _, ps, err := mime.ParseMediaType(c.GetHeader("Content-Disposition")); err == nil {
			name = ps["filename"]
		}
	}
	return name, c.Request.Body, nil
}

// ServeAttachment sends a dossier file as a download with the type
// detected at upload, never to be sniffed or shown inline.
func ServeAttachment(c *gin.Context, r io.Reader, att review.Attachment) {
	h := c.Writer.Header()
	h.Set("Content-Type", att.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	c.Status(http.StatusOK)
	_, _ = io.Copy(c.Writer, r)
}

// UploadedFile returns the uploaded file: the multipart field "file", or
// the raw body.
func UploadedFile(c *gin.Context) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == "multipart/form-data" {
		fh, err := c.FormFile("file")
		if err != nil {
			if strings.Contains(err.Error(), "too large") {
				return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the upload is over %d bytes", MaxUploadBody).ZHf("上传内容超过 %d 字节", MaxUploadBody)
			}
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "send the file in the multipart field \"file\"").ZHf("请将文件放在 multipart 字段 \"file\" 中发送")
		}
		if fh.Size > MaxUploadBody {
			return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the upload is over %d bytes", MaxUploadBody).ZHf("上传内容超过 %d 字节", MaxUploadBody)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the uploaded file cannot be read").ZHf("无法读取上传的文件")
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, MaxUploadBody+1))
	}
	return ReadBody(c)
}

// ItemFilter reads the item stream's query parameters.
func ItemFilter(c *gin.Context) (intel.ItemFilter, error) {
	limit, cur, err := PageParams(c)
	if err != nil {
		return intel.ItemFilter{}, err
	}
	f := intel.ItemFilter{Industry: c.Query("industry"), Dimension: c.Query("dimension"), Polarity: c.Query("polarity"),
		Source: c.Query("source"), Enterprise: c.Query("enterprise"), Q: strings.TrimSpace(c.Query("q")), Limit: limit, Cursor: cur}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := strings.TrimSpace(c.Query(p.name)); v != "" {
			t, err := parseWhen(v)
			if err != nil {
				return f, kedaitong.Invalid(p.name, "%q is not a date (2026-01-31) or an RFC 3339 time", v).ZHf("%q 不是日期（2026-01-31）或 RFC 3339 时间", v)
			}
			*p.dst = &t
		}
	}
	if v := c.Query("first"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, kedaitong.Invalid("first", "must be true or false").ZHf("参数 first 只能是 true 或 false")
		}
		f.FirstOnly = b
	}
	return f, nil
}

// parseWhen reads an RFC 3339 time or a date (midnight China time).
func parseWhen(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", v, chinaTime)
}

// chinaTime is Beijing time, in which dates without a zone are read.
var chinaTime = time.FixedZone("CST", 8*3600)

// BeijingTime is the zone every page shows times in.
func BeijingTime() *time.Location { return chinaTime }
