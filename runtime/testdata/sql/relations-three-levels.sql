-- posts
SELECT 
  (SELECT coalesce(json_agg(r.j), '[]'::json) FROM 
    (SELECT json_build_object('title', s."title", 'author', 
        (SELECT json_build_object('fullName', "shop"."person_full_name"(t1), 'latestPost', 
            (SELECT json_build_object('summary', "shop"."post_summary"(t2, "length" => $1::integer), 'author', 
                (SELECT json_build_object('fullName', "shop"."person_full_name"(t3)) FROM "shop"."person" t3 WHERE t3."id" = t2."author_id")) FROM "shop"."person_latest_post"(t1) t2 WHERE NOT (t2 IS NULL))) FROM "shop"."person" t1 WHERE t1."id" = s."author_id")) AS j FROM "shop"."post" s ORDER BY s."id" LIMIT $2 OFFSET $3) r)
-- args: [$1=5 $2=100 $3=0]
