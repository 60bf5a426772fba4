package access

import (
	"context"
	"fmt"

	"github.com/securemcp/gateway/models"
	"github.com/securemcp/gateway/repositories"
	"github.com/securemcp/gateway/services/entity"
	"github.com/securemcp/gateway/services/errs"
)

func resolveUser(ctx context.Context, r repositories.Repos, ident string) (models.User, error) {
	u, err := entity.Lookup(ctx, ident, r.Users().Resolve)
	return u, entity.StoreErr(err, fmt.Sprintf("user %q not found", ident), "")
}

// resolveUserByFields finds the user named by an id field and/or an email field
// (already cleaned).
func resolveUserByFields(ctx context.Context, r repositories.Repos, id, email string) (models.User, error) {
	if id == "" {
		return resolveUser(ctx, r, email)
	}
	u, err := entity.Lookup(ctx, id, r.Users().Get)
	if err != nil {
		return u, entity.StoreErr(err, fmt.Sprintf("user id %q not found", id), "")
	}
	if email != "" && u.Email != email {
		return u, errs.Invalid("user_id and email name different users")
	}
	return u, nil
}

// UserService manages users.
type UserService struct {
	store repositories.Store
	keys  *APIKeyService
	now   entity.Clock
}

// NewUserService wires a UserService; keys renders the user's keys.
func NewUserService(store repositories.Store, keys *APIKeyService, now entity.Clock) *UserService {
	return &UserService{store: store, keys: keys, now: now}
}

// MaxEmbeddedKeys bounds the keys shown with a user: a user with 50,000 keys
// made an answer of 24 MB. The rest are listed by ListOfUser, page by page.
const MaxEmbeddedKeys = 100

// UserDetail is a user with their projects and masked keys: the first
// MaxEmbeddedKeys of them, and how many there are in all.
type UserDetail struct {
	models.User
	Projects     []models.UserProject
	APIKeys      []KeyView
	APIKeysTotal int
}

// DeletedUser reports a deleted user and what went with them.
type DeletedUser struct {
	models.User
	APIKeys     int
	Memberships int
}

func emailTaken(email string) string {
	return fmt.Sprintf("a user with email %q already exists", email)
}

// Create adds a user; the email is validated and stored lowercased.
func (s *UserService) Create(ctx context.Context, email string) (models.User, error) {
	email, err := entity.CleanEmail("email", email)
	if err != nil {
		return models.User{}, err
	}
	now := s.now()
	u := models.User{ID: entity.NewID(), Email: email, CreatedAt: now, UpdatedAt: now}
	return u, entity.StoreErr(s.store.Users().Create(ctx, u), "", emailTaken(email))
}

// List returns users in creation order with their projects and key counts.
func (s *UserService) List(ctx context.Context, page repositories.Page) (entity.Listing[models.UserSummary], error) {
	total, err := s.store.Users().Count(ctx)
	if err != nil {
		return entity.Listing[models.UserSummary]{}, entity.StoreErr(err, "", "")
	}
	return entity.NewListing(total, page, s.store.Users().SummaryBatch), nil
}

// Search finds users whose email or any project's name contains term, ignoring case.
func (s *UserService) Search(ctx context.Context, term string) ([]models.UserSummary, error) {
	if err := entity.CheckSearchTerm(term); err != nil {
		return nil, err
	}
	hits, err := s.store.Users().Search(ctx, term)
	return hits, entity.StoreErr(err, "", "")
}

// Get returns a user (by id or email) with their projects and masked keys.
func (s *UserService) Get(ctx context.Context, ident string) (UserDetail, error) {
	u, err := resolveUser(ctx, s.store, ident)
	if err != nil {
		return UserDetail{}, err
	}
	d := UserDetail{User: u}
	if d.Projects, err = s.store.Memberships().ProjectsOf(ctx, u.ID); err != nil {
		return UserDetail{}, entity.StoreErr(err, "", "")
	}
	infos, total, err := s.store.APIKeys().ListInfo(ctx, repositories.APIKeyFilter{UserID: u.ID}, repositories.Page{Limit: MaxEmbeddedKeys})
	if err != nil {
		return UserDetail{}, entity.StoreErr(err, "", "")
	}
	d.APIKeys, d.APIKeysTotal = s.keys.views(infos), total
	return d, nil
}

// Projects lists the projects of a user in the order they joined.
func (s *UserService) Projects(ctx context.Context, ident string) ([]models.UserProject, error) {
	u, err := resolveUser(ctx, s.store, ident)
	if err != nil {
		return nil, err
	}
	projects, err := s.store.Memberships().ProjectsOf(ctx, u.ID)
	return projects, entity.StoreErr(err, "", "")
}

// UpdateEmail changes a user's email; setting the current one is a no-op.
func (s *UserService) UpdateEmail(ctx context.Context, ident, newEmail string) (models.User, error) {
	newEmail, err := entity.CleanEmail("new_email", newEmail)
	if err != nil {
		return models.User{}, err
	}
	var u models.User
	err = s.store.InTx(ctx, func(tx repositories.Repos) error {
		if u, err = resolveUser(ctx, tx, ident); err != nil || u.Email == newEmail {
			return err
		}
		u.Email, u.UpdatedAt = newEmail, s.now()
		return entity.StoreErr(tx.Users().UpdateEmail(ctx, u.ID, u.Email, u.UpdatedAt), "", emailTaken(newEmail))
	})
	return u, err
}

// Delete removes a user. Without force it is refused while the user has keys
// or memberships; with force those go too, in the same transaction.
func (s *UserService) Delete(ctx context.Context, ident string, force bool) (DeletedUser, error) {
	var d DeletedUser
	err := s.store.InTx(ctx, func(tx repositories.Repos) error {
		u, err := resolveUser(ctx, tx, ident)
		if err != nil {
			return err
		}
		d = DeletedUser{User: u}
		keys, err := tx.APIKeys().ListByUser(ctx, u.ID)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		memberships, err := tx.Memberships().ListByUser(ctx, u.ID)
		if err != nil {
			return entity.StoreErr(err, "", "")
		}
		d.APIKeys, d.Memberships = len(keys), len(memberships)
		if !force && (d.APIKeys > 0 || d.Memberships > 0) {
			return errs.Conflict("user %q has %d API key(s) and %d project membership(s); remove them, or force the deletion (body {\"force\": true}, or --force on the command line)",
				u.Email, d.APIKeys, d.Memberships)
		}
		if err := tx.APIKeys().DeleteAllOfUser(ctx, u.ID); err != nil {
			return entity.StoreErr(err, "", "")
		}
		if err := tx.Memberships().RemoveAllOfUser(ctx, u.ID); err != nil {
			return entity.StoreErr(err, "", "")
		}
		return entity.StoreErr(tx.Users().Delete(ctx, u.ID), fmt.Sprintf("user %q not found", ident), fmt.Sprintf("user %q is still referenced", u.Email))
	})
	return d, err
}
