-- note
SELECT 
  (SELECT json_build_object('body', coalesce(to_json(nullif(s."data"->'body', 'null'::jsonb)), '{"$null":0}'::json), 'meta', 
      (SELECT json_build_object('owner', 
          (SELECT json_build_object('name', coalesce(to_json(nullif(n2.v->'name', 'null'::jsonb)), '{"$null":1}'::json)) FROM 
            (SELECT n1.v->'owner' AS v) n2 WHERE jsonb_typeof(n2.v) = 'object')) FROM 
        (SELECT s."data"->'meta' AS v) n1 WHERE jsonb_typeof(n1.v) = 'object'), 'labels', coalesce(to_json(CASE WHEN jsonb_typeof(s."data"->'labels') = 'array' THEN 
          (SELECT coalesce(json_agg(CASE WHEN jsonb_typeof(n3.v) = 'object' THEN json_build_object('name', coalesce(to_json(nullif(n3.v->'name', 'null'::jsonb)), '{"$null":2}'::json)) ELSE '{"$null":3}'::json END ORDER BY n3.i), '[]'::json) FROM jsonb_array_elements(s."data"->'labels') WITH ORDINALITY n3(v, i)) END), '{"$null":4}'::json)) FROM "shop"."v_note" s WHERE s."id" = $1::integer)
-- args: [$1=1]
-- reads: "shop"."v_note"
