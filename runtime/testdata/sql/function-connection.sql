-- searchPosts
SELECT 
  (SELECT json_build_object('edges', coalesce(json_agg(json_build_object('cursor', p.c, 'node', p.j2)) FILTER (WHERE p.n <= $3), '[]'::json)) FROM 
    (SELECT encode(convert_to(json_build_array('f9dcc834', s."id")::text, 'UTF8'), 'base64') AS c, json_build_object('id', coalesce(to_json(s."id"), '{"$null":0}'::json), 'summary', coalesce(to_json("shop"."post_summary"(s)), '{"$null":1}'::json)) AS j2, row_number() OVER (ORDER BY s."id") AS n FROM "shop"."search_posts"("search" => $1::text) s WHERE NOT (s IS NULL) ORDER BY s."id" LIMIT $2) p GROUP BY ())
-- args: [$1="o" $2=2 $3=1]
-- reads: "shop"."post_summary", "shop"."search_posts"
