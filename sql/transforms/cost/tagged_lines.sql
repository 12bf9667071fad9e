-- The cost lines that carry tags, as the JSON text they arrived in.
SELECT line_id, tags FROM cost_lines WHERE tags IS NOT NULL
