-- The stages' union, keeping what the date's gold tables read: the matches completed on the
-- date and every outcome not matched. Matches of earlier dates are judged again (their parts
-- are still in the horizon) but not held: they were written on their own date.
SELECT * FROM (
({% include "transforms/recon/payments.sql" %})
UNION ALL
({% include "transforms/recon/payouts.sql" %})
) AS outcomes
WHERE outcome <> 'matched' OR event_day = {{ as_of_day }}
