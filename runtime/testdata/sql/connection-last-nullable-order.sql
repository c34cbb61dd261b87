-- peopleConnection
SELECT 
  (SELECT json_build_object('nodes', coalesce(json_agg(p.j1 ORDER BY p.n DESC) FILTER (WHERE p.n <= $2), '[]'::json), 'pageInfo', json_build_object('hasPreviousPage', count(*) > $2)) FROM 
    (SELECT json_build_object('id', s."id", 'lastName', s."last_name") AS j1, row_number() OVER (ORDER BY s."last_name" NULLS LAST, s."id") AS n FROM "shop"."person" s ORDER BY s."last_name" NULLS LAST, s."id" LIMIT $1) p GROUP BY ())
-- args: [$1=3 $2=2]
-- reads: "shop"."person"
