package sqlstore

import (
	"context"
	"database/sql"

	"github.com/securemcp/gateway/models"
)

type serverRepo struct{ db }

const serverColumns = `name, description, command, args, env, tools, enable_server_info_validation, shared_process,
	input_guardrails_policy, output_guardrails_policy, tool_guardrails_policy, oauth_config, tool_pins, created_at, updated_at`

// serverRow holds the encoded form of a server's JSON columns.
type serverRow struct {
	args, env, tools, input, output, tool string
	oauth                                 sql.NullString // NULL when the server has no oauth_config
	pins                                  sql.NullString // NULL until the server's tools are discovered
}

func encodeServer(s models.Server) (serverRow, error) {
	var row serverRow
	var err error
	s = s.Normalize()
	for _, f := range []struct {
		dst *string
		v   any
	}{{&row.args, s.Args}, {&row.env, s.Env}, {&row.tools, s.Tools}, {&row.input, s.InputPolicy}, {&row.output, s.OutputPolicy}, {&row.tool, s.ToolPolicy}} {
		if *f.dst, err = encodeJSON(f.v); err != nil {
			return row, err
		}
	}
	if s.OAuthConfig != nil {
		if row.oauth.String, err = encodeJSON(s.OAuthConfig); err != nil {
			return row, err
		}
		row.oauth.Valid = true
	}
	if s.ToolPins != nil {
		if row.pins.String, err = encodeJSON(s.ToolPins); err != nil {
			return row, err
		}
		row.pins.Valid = true
	}
	return row, nil
}

func scanServer(row interface{ Scan(...any) error }) (models.Server, error) {
	var s models.Server
	var enc serverRow
	var created, updated int64
	if err := row.Scan(&s.Name, &s.Description, &s.Command, &enc.args, &enc.env, &enc.tools,
		&s.EnableServerInfoValidation, &s.SharedProcess, &enc.input, &enc.output, &enc.tool, &enc.oauth, &enc.pins, &created, &updated); err != nil {
		return s, err
	}
	if enc.oauth.Valid {
		if err := decodeJSON(enc.oauth.String, &s.OAuthConfig); err != nil {
			return s, err
		}
	}
	if enc.pins.Valid {
		s.ToolPins = &models.ToolPins{}
		if err := decodeJSON(enc.pins.String, s.ToolPins); err != nil {
			return s, err
		}
	}
	for _, f := range []struct {
		src string
		dst any
	}{{enc.args, &s.Args}, {enc.env, &s.Env}, {enc.tools, &s.Tools}, {enc.input, &s.InputPolicy}, {enc.output, &s.OutputPolicy}, {enc.tool, &s.ToolPolicy}} {
		if err := decodeJSON(f.src, f.dst); err != nil {
			return s, err
		}
	}
	s.CreatedAt, s.UpdatedAt = fromNanos(created), fromNanos(updated)
	return s.Normalize(), nil
}

func (r serverRepo) List(ctx context.Context, configID string) ([]models.Server, error) {
	rows, err := r.query(ctx, `SELECT `+serverColumns+` FROM servers WHERE config_id = ? ORDER BY seq`, configID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []models.Server{}
	for rows.Next() {
		s, err := scanServer(rows)
		if err != nil {
			return nil, r.d.translate(err)
		}
		out = append(out, s)
	}
	return out, r.d.translate(rows.Err())
}

func (r serverRepo) Get(ctx context.Context, configID, name string) (models.Server, error) {
	s, err := scanServer(r.queryRow(ctx, `SELECT `+serverColumns+` FROM servers WHERE config_id = ? AND name = ?`, configID, name))
	return s, r.scanErr(err)
}

func (r serverRepo) Create(ctx context.Context, configID string, servers ...models.Server) error {
	rows := make([][]any, len(servers))
	for i, s := range servers {
		enc, err := encodeServer(s)
		if err != nil {
			return err
		}
		rows[i] = []any{configID, s.Name, s.Description, s.Command, enc.args, enc.env, enc.tools, s.EnableServerInfoValidation, s.SharedProcess,
			enc.input, enc.output, enc.tool, enc.oauth, enc.pins, toNanos(s.CreatedAt), toNanos(s.UpdatedAt)}
	}
	return insertRows(ctx, r.db, `INSERT INTO servers (config_id, `+serverColumns+`) VALUES `, rows, func(row []any) []any { return row })
}

func (r serverRepo) Update(ctx context.Context, configID string, s models.Server) error {
	enc, err := encodeServer(s)
	if err != nil {
		return err
	}
	return r.execOne(ctx, `UPDATE servers SET description = ?, command = ?, args = ?, env = ?, tools = ?,
		enable_server_info_validation = ?, shared_process = ?, input_guardrails_policy = ?, output_guardrails_policy = ?,
		tool_guardrails_policy = ?, oauth_config = ?, tool_pins = ?, updated_at = ? WHERE config_id = ? AND name = ?`,
		s.Description, s.Command, enc.args, enc.env, enc.tools, s.EnableServerInfoValidation, s.SharedProcess,
		enc.input, enc.output, enc.tool, enc.oauth, enc.pins, toNanos(s.UpdatedAt), configID, s.Name)
}

func (r serverRepo) Delete(ctx context.Context, configID, name string) error {
	return r.execOne(ctx, `DELETE FROM servers WHERE config_id = ? AND name = ?`, configID, name)
}

func (r serverRepo) DeleteAll(ctx context.Context, configID string) error {
	_, err := r.exec(ctx, `DELETE FROM servers WHERE config_id = ?`, configID)
	return err
}
