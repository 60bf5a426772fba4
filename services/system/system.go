// Package system holds what concerns the whole store: backup and restore, the
// import of the original system's config file, runtime settings, health and
// integrity reports, and reset.
package system

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/catalog"
	"github.com/securemcp/gateway/services/confine"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
	"github.com/securemcp/gateway/services/sealed"
)

// SystemService runs the whole-store operations: health, backup, restore,
// reset and the migration from the original system.
type SystemService struct {
	store   repositories.Store
	files   confine.Files
	now     entity.Clock
	secrets sealed.Secrets
}

// NewSystemService wires a SystemService.
func NewSystemService(store repositories.Store, files confine.Files, now entity.Clock, secrets sealed.Secrets) *SystemService {
	return &SystemService{store: store, files: files, now: now, secrets: secrets}
}

// snapshotState reads the whole state from one read-only snapshot.
func (s *SystemService) snapshotState(ctx context.Context) (state, error) {
	var st state
	err := s.store.ReadSnapshot(ctx, func(r repositories.Repos) error {
		var err error
		st, err = readState(ctx, r)
		return err
	})
	return st, err
}

// Backup writes the whole state, read in one snapshot, as a document in the
// data directory (atomically, mode 0600). Key secrets are not in the store,
// so they are not in the backup either: only their hashes. The other
// secrets (env values, oauth_config and settings credentials) are in it as
// stored, sealed: restoring them needs the same secret key. With
// includeSecrets they are written in clear instead, for a move to a store
// with another key; the result says so.
func (s *SystemService) Backup(ctx context.Context, outputFile string, includeSecrets bool) (models.BackupResult, error) {
	if err := s.files.Check("output_file", outputFile); err != nil {
		return models.BackupResult{}, err
	}
	st, err := s.snapshotState(ctx)
	if err != nil {
		return models.BackupResult{}, err
	}
	if includeSecrets {
		if st, err = openState(s.secrets, st); err != nil {
			return models.BackupResult{}, err
		}
	}
	res := models.BackupResult{File: outputFile, CreatedAt: s.now(), Counts: st.counts(), SecretsIncluded: includeSecrets}
	data, err := json.MarshalIndent(toDocument(st, res.CreatedAt), "", "  ")
	if err != nil {
		return models.BackupResult{}, &errs.Error{Kind: errs.KindInternal, Message: "cannot encode backup", Err: err}
	}
	data = append(data, '\n')
	if len(data) > confine.MaxBackupBytes {
		return models.BackupResult{}, errs.Invalid("the backup would take %d bytes, more than the %d that restore accepts", len(data), confine.MaxBackupBytes)
	}
	res.Bytes, res.SHA256 = len(data), sha256Hex(data)
	res.Path, err = s.files.WriteFile("output_file", outputFile, data)
	return res, err
}

// Source formats a restore accepts.
const (
	// FormatBackup is this gateway's backup document.
	FormatBackup = models.BackupFormat
	// FormatEnkrypt is the original system's config file.
	FormatEnkrypt = "enkrypt-config"
)

// Restore replaces the whole state with a document of the data directory:
// a backup, or a config file of the original system. field names the request
// field that gave the file name. The document is checked completely first; a
// document with any problem changes nothing.
func (s *SystemService) Restore(ctx context.Context, field, inputFile string) (models.RestoreResult, error) {
	data, err := s.files.ReadFile(field, inputFile, confine.MaxBackupBytes)
	if err != nil {
		return models.RestoreResult{}, err
	}
	res, err := s.RestoreData(ctx, field, data)
	res.File = inputFile
	return res, err
}

// RestoreData is Restore for a document already in memory.
func (s *SystemService) RestoreData(ctx context.Context, field string, data []byte) (models.RestoreResult, error) {
	format, err := detectFormat(field, data)
	if err != nil {
		return models.RestoreResult{}, err
	}
	res := models.RestoreResult{SourceFormat: format, SHA256: sha256Hex(data), Notes: []string{}}
	var st state
	if format == FormatEnkrypt {
		st, res.Notes, err = parseEnkrypt(field, data, s.now())
	} else {
		st, err = parseBackup(field, data)
	}
	if err != nil {
		return models.RestoreResult{}, err
	}
	res.Counts = st.counts()
	return res, s.replace(ctx, st, nil)
}

// replace wipes the store and writes st in one transaction. If guard is given it
// runs first, with what the store holds (counted, not read), and may refuse.
// The secrets of st are sealed first, and its sealed values must open with
// the loaded keys: a document sealed under another key changes nothing.
func (s *SystemService) replace(ctx context.Context, st state, guard func(current models.StoreCounts) error) error {
	st, _, err := sealState(s.secrets, st)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx repositories.Repos) error {
		if guard != nil {
			current, err := tx.Integrity().Counts(ctx)
			if err != nil {
				return entity.StoreErr(err, "", "")
			}
			if err := guard(current); err != nil {
				return err
			}
		}
		if err := wipe(ctx, tx); err != nil {
			return err
		}
		return insertState(ctx, tx, st)
	})
}

// Reset deletes every entity and setting in one transaction; settings return to
// their defaults. The admin key lives in the config file and is not affected.
func (s *SystemService) Reset(ctx context.Context, confirm bool) (models.ResetResult, error) {
	if !confirm {
		return models.ResetResult{}, errs.Invalid("confirm must be true: a reset deletes every configuration, project, user, API key and setting")
	}
	var res models.ResetResult
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		n, err := tx.Integrity().Counts(ctx)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		res.Deleted = n.Backup()
		return wipe(ctx, tx)
	})
	return res, err
}

// detectFormat tells a backup document (it has "format") from the original
// system's config file (it has any of its sections).
func detectFormat(field string, data []byte) (string, error) {
	var probe map[string]json.RawMessage
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(data, &probe); errors.As(err, &typeErr) {
		return "", errs.Field(field, "", "must be a JSON object, not %s", typeErr.Value)
	} else if err != nil {
		return "", catalog.DocumentErr(field, err, &probe)
	}
	if _, ok := probe["format"]; ok {
		return FormatBackup, nil
	}
	for _, section := range enkryptSections {
		if _, ok := probe[section]; ok {
			return FormatEnkrypt, nil
		}
	}
	return "", errs.Invalid("%s is neither a backup (no \"format\" field) nor a config file of the original system (none of %s)",
		field, strings.Join(enkryptSections, ", "))
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// ImportEnkrypt replaces the state with the content of a config file of the
// original system. Unless replace is set it refuses (conflict) when the store
// already holds anything.
func (s *SystemService) ImportEnkrypt(ctx context.Context, field string, data []byte, replace bool) (models.RestoreResult, error) {
	format, err := detectFormat(field, data)
	if err != nil {
		return models.RestoreResult{}, err
	}
	if format != FormatEnkrypt {
		return models.RestoreResult{}, errs.Field(field, "", "is a backup, not a config file of the original system: restore it instead")
	}
	st, notes, err := parseEnkrypt(field, data, s.now())
	if err != nil {
		return models.RestoreResult{}, err
	}
	res := models.RestoreResult{SourceFormat: FormatEnkrypt, SHA256: sha256Hex(data), Counts: st.counts(), Notes: notes}
	var guard func(models.StoreCounts) error
	if !replace {
		guard = func(current models.StoreCounts) error {
			if !current.Empty() {
				return errs.Conflict("the store is not empty (%d configurations, %d projects, %d users, %d API keys, %d settings); import with replace to overwrite it",
					current.Configs, current.Projects, current.Users, current.APIKeys, current.Settings)
			}
			return nil
		}
	}
	return res, s.replace(ctx, st, guard)
}

// ImportEnkryptFile is ImportEnkrypt for a file of the data directory.
func (s *SystemService) ImportEnkryptFile(ctx context.Context, field, inputFile string, replace bool) (models.RestoreResult, error) {
	data, err := s.files.ReadFile(field, inputFile, confine.MaxBackupBytes)
	if err != nil {
		return models.RestoreResult{}, err
	}
	res, err := s.ImportEnkrypt(ctx, field, data, replace)
	res.File = inputFile
	return res, err
}

// ImportEnkryptIfEmpty is the migration at first start: if the config file
// carries the original system's sections and the store is empty, they are
// imported. It reports whether it imported anything. A store that is not empty
// is left alone, so the import happens once.
func (s *SystemService) ImportEnkryptIfEmpty(ctx context.Context, configFile []byte) (models.RestoreResult, bool, error) {
	if format, err := detectFormat("config file", configFile); err != nil || format != FormatEnkrypt {
		return models.RestoreResult{}, false, nil // not the original format: nothing to migrate
	}
	st, notes, err := parseEnkrypt("config file", configFile, s.now())
	if err != nil {
		return models.RestoreResult{}, false, err
	}
	if st.empty() {
		return models.RestoreResult{}, false, nil
	}
	res := models.RestoreResult{SourceFormat: FormatEnkrypt, SHA256: sha256Hex(configFile), Counts: st.counts(), Notes: notes}
	skipped := false
	guard := func(current models.StoreCounts) error {
		skipped = !current.Empty()
		if skipped {
			return errStoreNotEmpty
		}
		return nil
	}
	// Two instances starting together on one database may both find it empty;
	// the second then fails on unique keys, and its retry sees the first's import.
	for attempt := 0; attempt < 2; attempt++ {
		err = s.replace(ctx, st, guard)
		if skipped {
			return models.RestoreResult{}, false, nil
		}
		if err == nil || !errors.Is(err, repositories.ErrConflict) {
			break
		}
	}
	return res, err == nil, err
}

// errStoreNotEmpty aborts the first-start import's transaction.
var errStoreNotEmpty = errors.New("store is not empty")
