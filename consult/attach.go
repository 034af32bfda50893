package consult

import (
	"bytes"
	"context"
	"io"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
)

func fileID(conID, attID string) string { return conID + "/" + attID }

// reply returns the answer an attachment goes with now: the answer while
// the consultation is accepted, the follow-up's answer while the follow-up
// is pending (created empty until the text comes).
func (c *Consultation) pendingReply() *Reply {
	switch c.State {
	case StateAccepted:
		if c.Answer == nil {
			c.Answer = &Reply{Attachments: []Attachment{}}
		}
		return c.Answer
	case StateFollowUp:
		if c.FollowUp.Answer == nil {
			c.FollowUp.Answer = &Reply{Attachments: []Attachment{}}
		}
		return c.FollowUp.Answer
	}
	return nil
}

// AddAttachment adds a file to the owning expert's answer in preparation:
// at most MaxAttachments files of at most 20 MiB, PDF, images or Office
// documents as review.DetectKind tells them by content.
func (s *Service) AddAttachment(ctx context.Context, u identity.User, id, name string, r io.Reader) (Attachment, error) {
	c, ver, err := s.loadFor(ctx, u, id)
	if err != nil {
		return Attachment{}, err
	}
	if !owns(u, &c) {
		return Attachment{}, kedaitong.Errorf(kedaitong.EConflict, "accept the consultation before attaching files to an answer").ZHf("请先接受这条咨询，再为回答附加文件")
	}
	rp := c.pendingReply()
	if rp == nil {
		return Attachment{}, kedaitong.Errorf(kedaitong.EConflict, "the consultation is %s: files go with an answer in preparation", c.State).ZHf("咨询当前状态为 %s：文件只能随正在撰写的回答附加", c.State)
	}
	if len(rp.Attachments) >= MaxAttachments {
		return Attachment{}, kedaitong.Errorf(kedaitong.EConflict, "an answer may have at most %d files", MaxAttachments).ZHf("一个回答最多附加 %d 个文件", MaxAttachments)
	}
	data, kind, ct, err := review.ReadAttachment(r)
	if err != nil {
		return Attachment{}, err
	}
	now := s.now()
	att := Attachment{ID: newID("att-"), Name: review.CleanFileName(name, kind), Kind: kind, ContentType: ct, UploadedAt: now}
	meta, err := s.st.Files().PutFile(ctx, fileID(c.ID, att.ID), store.FileMeta{Name: att.Name, ContentType: ct, Created: now}, bytes.NewReader(data), MaxAttachmentSize)
	if err != nil {
		return Attachment{}, err
	}
	att.Size, att.SHA256 = meta.Size, meta.SHA256
	rp.Attachments = append(rp.Attachments, att)
	if _, err := s.write(ctx, &c, ver); err != nil {
		_ = s.st.Files().DeleteFile(context.WithoutCancel(ctx), fileID(c.ID, att.ID))
		return Attachment{}, err
	}
	s.record(ctx, &u, "consultation.attach", &c, map[string]any{"attachment": att.ID, "name": att.Name, "kind": kind, "size": att.Size})
	return att, nil
}

// OpenAttachment returns a file of an answer to whoever may read the
// consultation.
func (s *Service) OpenAttachment(ctx context.Context, u identity.User, id, attID string) (io.ReadCloser, Attachment, error) {
	c, _, err := s.loadFor(ctx, u, id)
	if err != nil {
		return nil, Attachment{}, err
	}
	for _, rp := range []*Reply{c.Answer, followAnswer(&c)} {
		if rp == nil {
			continue
		}
		for _, att := range rp.Attachments {
			if att.ID == attID {
				rc, _, err := s.st.Files().OpenFile(ctx, fileID(c.ID, att.ID))
				if err != nil {
					return nil, Attachment{}, err
				}
				return rc, att, nil
			}
		}
	}
	return nil, Attachment{}, kedaitong.Errorf(kedaitong.ENotFound, "no attachment %q on consultation %s", attID, id).ZHf("咨询 %[2]s 中没有附件 %[1]q", attID, id)
}

func followAnswer(c *Consultation) *Reply {
	if c.FollowUp == nil {
		return nil
	}
	return c.FollowUp.Answer
}
