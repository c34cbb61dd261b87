-- posts
SELECT 
  (SELECT coalesce(json_agg(r.j), '[]'::json) FROM 
    (SELECT json_build_object('title', s."title", 'author', coalesce(to_json(
            (SELECT json_build_object('fullName', coalesce(to_json("shop"."person_full_name"(t1)), '{"$null":0}'::json), 'latestPost', 
                (SELECT json_build_object('summary', coalesce(to_json("shop"."post_summary"(t2, "length" => $1::integer)), '{"$null":1}'::json), 'author', coalesce(to_json(
                        (SELECT json_build_object('fullName', coalesce(to_json("shop"."person_full_name"(t3)), '{"$null":2}'::json)) FROM "shop"."person" t3 WHERE t3."id" = t2."author_id")), '{"$null":3}'::json)) FROM "shop"."person_latest_post"(t1) t2 WHERE NOT (t2 IS NULL))) FROM "shop"."person" t1 WHERE t1."id" = s."author_id")), '{"$null":4}'::json)) AS j FROM "shop"."post" s ORDER BY s."id" LIMIT $2 OFFSET $3) r)
-- args: [$1=5 $2=100 $3=0]
-- reads: "shop"."person", "shop"."person_full_name", "shop"."person_latest_post", "shop"."post", "shop"."post_summary"
