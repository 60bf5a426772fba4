package models

// StoreCounts is how many rows of each kind the store holds, counted by the
// database (never by loading the rows).
type StoreCounts struct {
	Configs         int
	Servers         int
	Projects        int
	Users           int
	Memberships     int
	APIKeys         int
	DisabledAPIKeys int
	Settings        int
}

// Empty reports a store with no entity and no setting.
func (c StoreCounts) Empty() bool {
	return c.Configs+c.Servers+c.Projects+c.Users+c.Memberships+c.APIKeys+c.Settings == 0
}

// Backup is the counts as backup, restore and reset report them.
func (c StoreCounts) Backup() BackupCounts {
	return BackupCounts{Configs: c.Configs, Servers: c.Servers, Projects: c.Projects, Users: c.Users,
		Memberships: c.Memberships, APIKeys: c.APIKeys, Settings: c.Settings}
}

// Statistics is the counts as the health report shows them.
func (c StoreCounts) Statistics() SystemStatistics {
	return SystemStatistics{TotalProjects: c.Projects, TotalUsers: c.Users, TotalConfigs: c.Configs,
		TotalAPIKeys: c.APIKeys, DisabledAPIKeys: c.DisabledAPIKeys}
}

// IntegrityFindings are the rows of the store that break a rule, as
// set-based queries find them. Each list holds at most the number of entries
// asked for, in creation order.
type IntegrityFindings struct {
	// Dangling are references to rows that do not exist: foreign keys make
	// them impossible, so they come from a database written without them (an
	// old or hand-edited file).
	Dangling []DanglingReference
	// EmailsNotCanonical are e-mails stored otherwise than trimmed and
	// lowercase (the services store that form; a raw insert may not).
	EmailsNotCanonical []string
	// EmailClashes, ConfigNameClashes and ProjectNameClashes list values that
	// several rows hold but for case, grouped by their lowercase form.
	EmailClashes       []CaseClash
	ConfigNameClashes  []CaseClash
	ProjectNameClashes []CaseClash
	// KeysOfNonMembers are keys whose user is not (or no longer) a member of
	// their project; KeysWithoutConfig are the other keys whose project has
	// no configuration. Neither can authenticate.
	KeysOfNonMembers  []KeyOfProject
	KeysWithoutConfig []KeyOfProject
	// KeysWithoutSecret are keys imported from the original system without
	// their secret (too short or too guessable to keep): they must be
	// rotated before they can be enabled.
	KeysWithoutSecret []string
}

// DanglingReference is a row whose reference leads nowhere.
type DanglingReference struct {
	// Entity is the kind of the referring row: "server", "project",
	// "membership" or "api_key".
	Entity string
	// Keys identify the row: the configuration id and name of a server, the
	// name of a project, the project and user ids of a membership, the id of a key.
	Keys []string
	// Field is the API name of the reference (mcp_config_id, project_id,
	// user_id), Value the id it holds, and Target the kind of entity missing.
	Field, Value, Target string
}

// CaseClash is one lowercase value and the distinct spellings stored for it.
type CaseClash struct {
	Folded string
	Values []string
}

// KeyOfProject names an API key and its project.
type KeyOfProject struct {
	KeyID       string
	ProjectName string
}
