package store

import "context"

// Open opens the platform's store: the MongoDB database at mongoURI when it
// is set, otherwise the embedded SQLite database in dataDir.
func Open(ctx context.Context, dataDir, mongoURI string) (Store, error) {
	if mongoURI != "" {
		m, err := OpenMongo(ctx, mongoURI)
		if err != nil {
			return nil, err // not a nil *Mongo inside a non-nil Store
		}
		return m, nil
	}
	s, err := OpenSQLite(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	return s, nil
}
