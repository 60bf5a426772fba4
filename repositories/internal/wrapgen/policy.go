package main

// cacheRule is what the cached decorator does around a repository call.
type cacheRule int

const (
	// read passes the call through: it changes nothing the cache holds.
	read cacheRule = iota + 1
	// write passes the call through, then invalidates every entry, so that
	// no instance reads a value older than its own last write.
	write
	// handWritten generates nothing: cached.go implements the method (a
	// read the cache serves).
	handWritten
	// passThrough, for a whole repository, hands out the wrapped repository
	// itself: it neither writes nor reads anything the cache holds.
	passThrough
)

// policy is a rule, and why when it is not the obvious one (the reason is
// written above the generated method).
type policy struct {
	rule cacheRule
	why  string
}

// cachePolicy classifies every repository method ("Repository.Method", the
// repository named by its accessor in Repos) or whole repository
// ("Repository"). A method that is not listed stops the generator: a write
// classified as a read would let the cache serve stale values, so every new
// method needs a decision here. When unsure, write is always correct.
var cachePolicy = map[string]policy{
	"Configs.Create":    {rule: write},
	"Configs.Resolve":   {rule: handWritten},
	"Configs.List":      {rule: read},
	"Configs.Search":    {rule: read},
	"Configs.Rename":    {rule: write},
	"Configs.Touch":     {rule: write},
	"Configs.Delete":    {rule: write},
	"Configs.Count":     {rule: read},
	"Configs.DeleteAll": {rule: write},

	"Servers.List":      {rule: handWritten},
	"Servers.Get":       {rule: read},
	"Servers.Create":    {rule: write},
	"Servers.Update":    {rule: write},
	"Servers.Delete":    {rule: write},
	"Servers.DeleteAll": {rule: write},

	"Projects.Create":       {rule: write},
	"Projects.Resolve":      {rule: read},
	"Projects.Get":          {rule: read},
	"Projects.List":         {rule: read},
	"Projects.ListByConfig": {rule: read},
	"Projects.Summaries":    {rule: read},
	"Projects.Search":       {rule: read},
	"Projects.SetConfig":    {rule: write},
	"Projects.Delete":       {rule: write},
	"Projects.Count":        {rule: read},
	"Projects.DeleteAll":    {rule: write},

	"Users.Create":       {rule: write},
	"Users.Resolve":      {rule: read},
	"Users.Get":          {rule: read},
	"Users.List":         {rule: read},
	"Users.Summaries":    {rule: read},
	"Users.SummaryBatch": {rule: read},
	"Users.Search":       {rule: read},
	"Users.UpdateEmail":  {rule: write},
	"Users.Delete":       {rule: write},
	"Users.Count":        {rule: read},
	"Users.DeleteAll":    {rule: write},

	"Memberships.Add":                {rule: write},
	"Memberships.Exists":             {rule: read},
	"Memberships.ListByProject":      {rule: read},
	"Memberships.ListByUser":         {rule: read},
	"Memberships.Members":            {rule: read},
	"Memberships.ProjectsOf":         {rule: read},
	"Memberships.Remove":             {rule: write},
	"Memberships.RemoveAllOfProject": {rule: write},
	"Memberships.RemoveAllOfUser":    {rule: write},
	"Memberships.List":               {rule: read},
	"Memberships.DeleteAll":          {rule: write},

	"APIKeys.Create":          {rule: write},
	"APIKeys.Get":             {rule: read},
	"APIKeys.GetByHash":       {rule: read},
	"APIKeys.GetPrincipal":    {rule: read, why: "is never cached: whether a key verifies must be current."},
	"APIKeys.List":            {rule: read},
	"APIKeys.ListByUser":      {rule: read},
	"APIKeys.ListInfo":        {rule: read},
	"APIKeys.InfoBatch":       {rule: read},
	"APIKeys.CountInfo":       {rule: read},
	"APIKeys.GetInfo":         {rule: read},
	"APIKeys.CountByProject":  {rule: read},
	"APIKeys.Update":          {rule: write},
	"APIKeys.TouchLastUsed":   {rule: read, why: "keeps the cache: no entry holds a key's last use, and keys are used on every gateway call."},
	"APIKeys.Delete":          {rule: write},
	"APIKeys.DeleteAllOfUser": {rule: write},
	"APIKeys.Count":           {rule: read},
	"APIKeys.DeleteAll":       {rule: write},

	"Settings.Put":       {rule: write},
	"Settings.Get":       {rule: read},
	"Settings.List":      {rule: read},
	"Settings.DeleteAll": {rule: write},

	"AdminKeys": {rule: passThrough, why: "passes through, uncached: a deleted admin key must be refused at its next request on every instance, and no entry of the cache holds admin keys, so their writes invalidate nothing."},
	"Audit":     {rule: passThrough, why: "passes through: records are read for listings and verification, which must see what the table holds, and no entry of the cache depends on them."},

	"Integrity": {rule: passThrough, why: "passes through: its answers are aggregates of the whole store, which no entry of the cache holds, and it writes nothing."},
}
