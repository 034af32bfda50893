package scoring

import (
	"context"
	"errors"

	"kedaitong"
	"kedaitong/identity"
)

// SubmitShown locks the score the expert confirmed: only while it is still
// the revision the confirmation showed. The check is made on the document
// that the submission's version-guarded write replaces, so a save landing
// between the confirmation and the lock (another tab, another device) is
// refused (ErrChangedSinceShown) and never locked unseen.
func (s *Service) SubmitShown(ctx context.Context, actor identity.User, id string, revision int) (Submission, error) {
	return s.submit(ctx, actor, id, &revision)
}

// ChangedSinceShown reports whether err is SubmitShown's refusal of a score
// that changed after it was shown.
func ChangedSinceShown(err error) bool {
	var e *kedaitong.Error
	return errors.As(err, &e) && e.Field == "revision" && kedaitong.Is(err, kedaitong.EConflict)
}

func changedSinceShown(shown, now int) error {
	e := kedaitong.Errorf(kedaitong.EConflict, "the score changed after it was shown for confirmation (revision %d, now %d); check it again before submitting", shown, now).ZHf("评分在确认页显示后已被修改（第 %d 版，现为第 %d 版），请重新核对后再提交", shown, now)
	e.Field = "revision"
	return e
}
