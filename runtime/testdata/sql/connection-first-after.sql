-- peopleConnection
SELECT 
  (SELECT json_build_object('totalCount', 
      (SELECT count(*) FROM "shop"."person" s), 'edges', coalesce(json_agg(json_build_object('cursor', p.c, 'node', p.j2)) FILTER (WHERE p.n <= $3), '[]'::json), 'pageInfo', json_build_object('hasNextPage', count(*) > $3, 'hasPreviousPage', EXISTS 
        (SELECT 1 FROM "shop"."person" s WHERE NOT (s."id" > $1::integer)), 'startCursor', (array_agg(p.c) FILTER (WHERE p.n <= $3))[1], 'endCursor', (array_agg(p.c) FILTER (WHERE p.n <= $3))[count(*) FILTER (WHERE p.n <= $3)])) FROM 
    (SELECT encode(convert_to(json_build_array('f9dcc834', s."id")::text, 'UTF8'), 'base64') AS c, json_build_object('id', s."id") AS j2, row_number() OVER (ORDER BY s."id") AS n FROM "shop"."person" s WHERE s."id" > $1::integer ORDER BY s."id" LIMIT $2) p GROUP BY ())
-- args: [$1="1" $2=3 $3=2]
-- reads: "shop"."person"
