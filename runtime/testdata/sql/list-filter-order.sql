-- people
SELECT 
  (SELECT coalesce(json_agg(r.j), '[]'::json) FROM 
    (SELECT json_build_object('id', s."id", 'firstName', s."first_name") AS j FROM "shop"."person" s WHERE s."last_name" IS NOT NULL AND (s."first_name" LIKE $1 OR s."color" = ANY($2::shop.color[])) ORDER BY s."balance" DESC, s."id" DESC LIMIT $3 OFFSET $4) r)
-- args: [$1="A%" $2=[]string{"green", "red"} $3=5 $4=0]
-- reads: "shop"."person"
