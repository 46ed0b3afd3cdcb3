"""The CRM: tags, typed custom fields, notes and a change timeline, segments, import/export."""
