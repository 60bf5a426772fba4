package main

import (
	"github.com/spf13/cobra"

	"github.com/securemcp/gateway/models"
)

// newProjectCmd is the `project` group: projects, their configuration and
// members, as the /api/v1/projects routes.
func newProjectCmd() *cobra.Command {
	return group("project", "Manage projects, their configuration and their users",
		example("project list", "project create --project-name my-project"),
		projectList(), projectCreate(), projectGet(), projectRemove(), projectAssignConfig(), projectUnassignConfig(),
		projectGetConfig(), projectListUsers(), projectAddUser(), projectRemoveUser(), projectRemoveAllUsers(),
		projectExport(), projectSearch())
}

func projectList() *cobra.Command {
	cmd := serviceCmd("list", "List projects", "Projects retrieved successfully", func(c *call) (any, error) {
		page, err := c.page()
		if err != nil {
			return nil, err
		}
		projects, _, err := c.svc.Projects.List(c.ctx, page)
		return models.Items(projects, models.NewProjectListItem), err
	})
	pageFlags(cmd)
	cmd.Example = example("project list")
	return cmd
}

func projectCreate() *cobra.Command {
	cmd := serviceCmd("create", "Create a project", "Project created successfully", func(c *call) (any, error) {
		p, err := c.svc.Projects.Create(c.ctx, c.str("project-name"))
		return models.NewProjectCreated(p), err
	})
	stringFlags(cmd, "project-name", "name of the new project")
	required(cmd, "project-name")
	cmd.Example = example("project create --project-name my-project")
	return cmd
}

func projectGet() *cobra.Command {
	cmd := serviceCmd("get", "Show a project with its configuration and users", "Project retrieved successfully", func(c *call) (any, error) {
		d, err := c.svc.Projects.Get(c.ctx, c.project())
		return models.NewProjectDetailResponse(d.Project, d.Config, d.Members, d.APIKeys), err
	})
	projectFlags(cmd)
	cmd.Example = example("project get --project-name my-project")
	return cmd
}

func projectRemove() *cobra.Command {
	cmd := serviceCmd("remove", "Delete a project (refused while API keys reference it)", "Project deleted successfully", func(c *call) (any, error) {
		p, err := c.svc.Projects.Delete(c.ctx, c.project())
		return models.NewProjectCreated(p), err
	})
	projectFlags(cmd)
	cmd.Example = example("project remove --project-name my-project")
	return cmd
}

func projectAssignConfig() *cobra.Command {
	cmd := serviceCmd("assign-config", "Assign a configuration to a project", "Configuration assigned to project", func(c *call) (any, error) {
		p, cfg, err := c.svc.Projects.AssignConfig(c.ctx, c.project(), c.str("config-id"), c.str("config-name"))
		return models.NewProjectConfigData(p, cfg), err
	})
	projectFlags(cmd)
	configFlags(cmd)
	cmd.Example = example("project assign-config --project-name my-project --config-name my-config")
	return cmd
}

func projectUnassignConfig() *cobra.Command {
	cmd := serviceCmd("unassign-config", "Remove the configuration of a project", "Configuration unassigned from project", func(c *call) (any, error) {
		p, err := c.svc.Projects.UnassignConfig(c.ctx, c.project())
		return models.NewProjectConfigData(p, models.Config{}), err
	})
	projectFlags(cmd)
	cmd.Example = example("project unassign-config --project-name my-project")
	return cmd
}

func projectGetConfig() *cobra.Command {
	cmd := serviceCmd("get-config", "Show the configuration of a project", "Project configuration retrieved successfully", func(c *call) (any, error) {
		d, err := c.svc.Projects.Config(c.ctx, c.project())
		return models.NewConfigDetailResponse(d.Config, d.Servers), err
	})
	projectFlags(cmd)
	cmd.Example = example("project get-config --project-name my-project")
	return cmd
}

func projectListUsers() *cobra.Command {
	cmd := serviceCmd("list-users", "List the users of a project", "Project users retrieved successfully", func(c *call) (any, error) {
		members, err := c.svc.Projects.Members(c.ctx, c.project())
		return paged(c, models.Items(members, models.NewProjectMemberItem), err)
	})
	pageFlags(cmd)
	projectFlags(cmd)
	cmd.Example = example("project list-users --project-name my-project")
	return cmd
}

func projectAddUser() *cobra.Command {
	cmd := serviceCmd("add-user", "Add a user to a project", "User added to project", func(c *call) (any, error) {
		m, err := c.svc.Projects.AddMember(c.ctx, c.project(), c.str("user-id"), c.str("email"))
		return models.NewMembershipData(m.Project, m.User), err
	})
	projectFlags(cmd)
	userFlags(cmd)
	cmd.Example = example("project add-user --project-name my-project --email alice@example.com")
	return cmd
}

func projectRemoveUser() *cobra.Command {
	cmd := serviceCmd("remove-user", "Remove a user from a project; their keys for it stop verifying", "User removed from project", func(c *call) (any, error) {
		m, err := c.svc.Projects.RemoveMember(c.ctx, c.project(), c.user())
		return models.MemberRemovedData{MembershipData: models.NewMembershipData(m.Project, m.User), InactiveAPIKeys: m.Keys}, err
	})
	projectFlags(cmd)
	userFlags(cmd)
	cmd.Example = example("project remove-user --project-name my-project --email alice@example.com")
	return cmd
}

func projectRemoveAllUsers() *cobra.Command {
	cmd := serviceCmd("remove-all-users", "Remove every user of a project", "Users removed from project", func(c *call) (any, error) {
		p, n, err := c.svc.Projects.RemoveAllMembers(c.ctx, c.project())
		return models.NewMembersRemovedData(p, n), err
	})
	projectFlags(cmd)
	cmd.Example = example("project remove-all-users --project-name my-project")
	return cmd
}

func projectExport() *cobra.Command {
	cmd := serviceCmd("export", "Export a project to a file", "", func(c *call) (any, error) {
		file := c.str("output-file")
		c.message = "Project exported to " + file
		res, err := c.svc.Projects.Export(c.ctx, c.project(), file)
		return res.Document, err
	})
	projectFlags(cmd)
	stringFlags(cmd, "output-file", "file to write (relative to the current directory, or absolute)")
	required(cmd, "output-file")
	cmd.Example = example("project export --project-name my-project --output-file exports/my-project.json")
	return cmd
}

func projectSearch() *cobra.Command {
	cmd := serviceCmd("search", "Search projects by name or member email", "Projects found", func(c *call) (any, error) {
		hits, err := c.svc.Projects.Search(c.ctx, c.str("search-term"))
		return paged(c, models.Items(hits, models.NewProjectListItem), err)
	})
	pageFlags(cmd)
	stringFlags(cmd, "search-term", "case-insensitive substring of a project name or member email")
	required(cmd, "search-term")
	cmd.Example = example("project search --search-term prod")
	return cmd
}
