package actor

import "context"

type actionKey struct{}

// WithAction returns a context naming the operation under way ("user.create",
// "config.add_server"): the audit records of its writes carry it. The API
// names it from the route, the CLI from the command, alike for one operation.
func WithAction(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, actionKey{}, action)
}

// ActionFrom returns the operation named in ctx, "" when none was.
func ActionFrom(ctx context.Context) string {
	a, _ := ctx.Value(actionKey{}).(string)
	return a
}
