-- The clinic roster in one aggregate query (benchmarks/clinic.py fills in the dates and the
-- engine's date arithmetic). One row per patient: active program and week, doses done in
-- the last 7 and 28 days, mean morning pain this week / last week / first program week,
-- pain during exercise above 5 this week, last entry, open red flags, VISA-A first/latest.
WITH active AS (
    SELECT e.id, e.patient_id, e.program_id, e.start_date
    FROM enrollment e
    WHERE e.status = 'active'
),
doses AS (  -- one row per dose, leg and status in the window, sets added up
    SELECT d.enrollment_id, d.plan_date, d.item_key, d.side, d.status,
           sum(coalesce(d.sets, 1)) AS sets
    FROM doselog d JOIN active a ON a.id = d.enrollment_id
    WHERE d.plan_date >= '{d28}' AND d.plan_date <= '{today}' AND d.voided_at IS NULL
    GROUP BY d.enrollment_id, d.plan_date, d.item_key, d.side, d.status
),
done AS (
    SELECT enrollment_id,
           sum(CASE WHEN status = 'done' AND plan_date >= '{d7}' THEN 1 ELSE 0 END) AS done7,
           sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done28,
           sum(CASE WHEN status = 'skipped' THEN 1 ELSE 0 END) AS skipped28
    FROM doses GROUP BY enrollment_id
),
pain AS (  -- each day's worst score by context, the last four weeks
    SELECT p.patient_id, p.local_date, p.context, max(p.score) AS worst
    FROM painentry p
    WHERE p.local_date >= '{d28}' AND p.local_date <= '{today}' AND p.voided_at IS NULL
    GROUP BY p.patient_id, p.local_date, p.context
),
during AS (
    SELECT e.patient_id, d.plan_date, max(d.pain_during) AS worst
    FROM doselog d JOIN enrollment e ON e.id = d.enrollment_id
    WHERE d.plan_date >= '{d28}' AND d.plan_date <= '{today}' AND d.voided_at IS NULL
      AND d.pain_during IS NOT NULL
    GROUP BY e.patient_id, d.plan_date
),
pain_now AS (
    SELECT patient_id,
           avg(CASE WHEN context = 'morning' AND local_date >= '{d7}' THEN worst END) AS now7,
           avg(CASE WHEN context = 'morning' AND local_date >= '{d14}'
                     AND local_date < '{d7}' THEN worst END) AS last7,
           max(CASE WHEN context IN ('rest', 'night') AND local_date >= '{d7}'
                    THEN worst END) AS rest7
    FROM pain GROUP BY patient_id
),
over5 AS (
    SELECT patient_id, sum(CASE WHEN worst > 5 AND plan_date >= '{d7}' THEN 1 ELSE 0 END) AS n
    FROM during GROUP BY patient_id
),
stiff AS (
    SELECT s.patient_id, avg(s.stiffness_minutes) AS minutes
    FROM symptomcheck s
    WHERE s.check_date >= '{d7}' AND s.check_date <= '{today}' AND s.voided_at IS NULL
    GROUP BY s.patient_id
),
first_days AS (
    SELECT a.id AS enrollment_id, p.local_date, max(p.score) AS worst
    FROM active a JOIN painentry p ON p.patient_id = a.patient_id
    WHERE p.context = 'morning' AND p.voided_at IS NULL
      AND p.local_date >= a.start_date AND p.local_date <= {start_plus_6}
    GROUP BY a.id, p.local_date
),
first_week AS (
    SELECT enrollment_id, avg(worst) AS mean FROM first_days GROUP BY enrollment_id
),
last_entry AS (
    SELECT patient_id, max(day) AS day FROM (
        SELECT e.patient_id, max(d.plan_date) AS day
        FROM doselog d JOIN enrollment e ON e.id = d.enrollment_id
        WHERE d.voided_at IS NULL GROUP BY e.patient_id
        UNION ALL
        SELECT patient_id, max(local_date) FROM painentry
        WHERE voided_at IS NULL GROUP BY patient_id
        UNION ALL
        SELECT patient_id, max(check_date) FROM symptomcheck
        WHERE voided_at IS NULL GROUP BY patient_id
    ) AS entries GROUP BY patient_id
),
flags AS (
    SELECT r.enrollment_id, count(*) AS n, min(r.flag) AS flag
    FROM redflagentry r WHERE r.cleared_at IS NULL GROUP BY r.enrollment_id
),
visa AS (
    SELECT patient_id, score,
           row_number() OVER (PARTITION BY patient_id ORDER BY taken_on, id) AS oldest,
           row_number() OVER (PARTITION BY patient_id ORDER BY taken_on DESC, id DESC) AS newest
    FROM assessment WHERE instrument = 'visa-a' AND voided_at IS NULL
),
visa_change AS (
    SELECT patient_id,
           max(CASE WHEN oldest = 1 THEN score END) AS first_score,
           max(CASE WHEN newest = 1 THEN score END) AS latest_score
    FROM visa WHERE oldest = 1 OR newest = 1 GROUP BY patient_id
)
SELECT pt.name, a.program_id, a.start_date,
       dn.done7, dn.done28, dn.skipped28,
       pn.now7, pn.last7, pn.rest7, o.n AS during_over5, st.minutes, fw.mean AS first_week,
       le.day AS last_entry, fl.n AS open_flags, fl.flag,
       vc.first_score, vc.latest_score
FROM patient pt
LEFT JOIN active a ON a.patient_id = pt.id
LEFT JOIN done dn ON dn.enrollment_id = a.id
LEFT JOIN pain_now pn ON pn.patient_id = pt.id
LEFT JOIN over5 o ON o.patient_id = pt.id
LEFT JOIN stiff st ON st.patient_id = pt.id
LEFT JOIN first_week fw ON fw.enrollment_id = a.id
LEFT JOIN last_entry le ON le.patient_id = pt.id
LEFT JOIN flags fl ON fl.enrollment_id = a.id
LEFT JOIN visa_change vc ON vc.patient_id = pt.id
ORDER BY (CASE WHEN fl.n > 0 THEN 0 ELSE 1 END), dn.done7, pt.name;
