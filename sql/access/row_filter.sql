{#- The rows of a table a role sees: its row filter of access.toml, which may read other tables
    (a regulator sees the records an export carried), over the stored rows. -#}
SELECT * FROM {{ table }} WHERE {{ condition }}
