-- What does one settled payment cost in cloud spend, per channel, over the whole period?
SELECT channel,
       sum(allocated_cost) AS allocated_cost,
       sum(settled_payments) AS settled_payments,
       CASE WHEN sum(settled_payments) = 0 THEN NULL
            ELSE sum(allocated_cost) / sum(settled_payments) END AS cost_per_payment
FROM gold.cost_unit_economics
GROUP BY channel
ORDER BY channel;
