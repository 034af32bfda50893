package intel

import (
	"sync"

	"kedaitong"
	"kedaitong/intel/classify"
)

// lazyClassifier is the classifier for one list of enterprises, built from
// the base classifier the first time a crawl needs it. SetEnterprises
// replaces it with a new, unbuilt one.
type lazyClassifier struct {
	list []classify.Enterprise
	once sync.Once
	c    *classify.Classifier
	err  error
}

// classifierErr returns the current classifier, building it on first use.
func (s *Service) classifierErr() (*classify.Classifier, error) {
	l := s.cls.Load()
	l.once.Do(func() {
		base, err := s.base()
		if err != nil {
			l.err = kedaitong.Wrap(kedaitong.EInternal, err, "the news classifier cannot be built").ZHf("无法构建资讯分类器")
			return
		}
		l.c = base
		if len(l.list) > 0 {
			l.c = base.WithEnterprises(l.list)
		}
	})
	return l.c, l.err
}

// classifier returns the current classifier; nil when it cannot be built
// (the embedded dictionaries or model are broken, which tests catch).
func (s *Service) classifier() *classify.Classifier {
	c, _ := s.classifierErr()
	return c
}
