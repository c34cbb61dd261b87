-- person
SELECT 
  (SELECT json_build_object('firstName', s."first_name", 'posts', 
      (SELECT coalesce(json_agg(r.j), '[]'::json) FROM 
        (SELECT json_build_object('id', t1."id", 'title', t1."title") AS j FROM "shop"."post" t1 WHERE t1."author_id" = s."id" ORDER BY t1."id" DESC LIMIT $2 OFFSET $3) r)) FROM "shop"."person" s WHERE s."id" = $1::integer)
-- args: [$1=1 $2=100 $3=0]
-- reads: "shop"."person", "shop"."post"
