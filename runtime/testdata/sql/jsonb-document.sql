-- note
SELECT 
  (SELECT json_build_object('body', s."data"->'body', 'meta', 
      (SELECT json_build_object('owner', 
          (SELECT json_build_object('name', n2.v->'name') FROM 
            (SELECT n1.v->'owner' AS v) n2 WHERE jsonb_typeof(n2.v) = 'object')) FROM 
        (SELECT s."data"->'meta' AS v) n1 WHERE jsonb_typeof(n1.v) = 'object'), 'labels', CASE WHEN jsonb_typeof(s."data"->'labels') = 'array' THEN 
      (SELECT coalesce(json_agg(CASE WHEN jsonb_typeof(n3.v) = 'object' THEN json_build_object('name', n3.v->'name') END ORDER BY n3.i), '[]'::json) FROM jsonb_array_elements(s."data"->'labels') WITH ORDINALITY n3(v, i)) END) FROM "shop"."v_note" s WHERE s."id" = $1::integer)
-- args: [$1=1]
