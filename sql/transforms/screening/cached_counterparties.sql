-- Every counterparty name screened so far, once per kind of party and key.
SELECT party_type, name_key, MIN(name) AS name
FROM system.screened_counterparties
GROUP BY party_type, name_key
ORDER BY party_type, name_key
