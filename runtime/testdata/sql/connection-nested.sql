-- people
SELECT 
  (SELECT coalesce(json_agg(r.j), '[]'::json) FROM 
    (SELECT json_build_object('id', s."id", 'postsConnection', 
        (SELECT json_build_object('totalCount', 
            (SELECT count(*) FROM "shop"."post" t1 WHERE t1."author_id" = s."id" AND t1."title" LIKE $1), 'edges', coalesce(json_agg(json_build_object('node', p.j1)) FILTER (WHERE p.n <= $3), '[]'::json)) FROM 
          (SELECT json_build_object('id', t1."id") AS j1, row_number() OVER (ORDER BY t1."id") AS n FROM "shop"."post" t1 WHERE t1."author_id" = s."id" AND t1."title" LIKE $1 ORDER BY t1."id" LIMIT $2) p GROUP BY ())) AS j FROM "shop"."person" s ORDER BY s."id" LIMIT $4 OFFSET $5) r)
-- args: [$1="%o%" $2=2 $3=1 $4=2 $5=0]
-- reads: "shop"."person", "shop"."post"
