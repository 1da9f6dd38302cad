-- Seeds a copy of the test template with :count Italian contacts, a confirmed order
-- for one in five of them (dated over the last two years), before followup_manager is
-- installed (bin/benchmark --scale then times the install on this base). Rows are
-- copied from a demo contact and a demo order, so that every required column is filled.
SELECT set_config('fm.count', :'count', false);
DO $$
DECLARE
    n integer := current_setting('fm.count')::integer;
    floor_id integer;
    template_partner integer;
    template_order integer;
    cols text;
    src text;
BEGIN
    SELECT max(id) INTO floor_id FROM res_partner;
    SELECT id INTO template_partner FROM res_partner
     WHERE active AND NOT is_company AND email IS NOT NULL AND parent_id IS NULL
     ORDER BY id LIMIT 1;
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
           string_agg(CASE column_name
               WHEN 'name' THEN '''Scale Contact '' || g'
               WHEN 'complete_name' THEN '''Scale Contact '' || g'
               WHEN 'email' THEN '''scale.'' || g || ''@example.com'''
               WHEN 'email_normalized' THEN '''scale.'' || g || ''@example.com'''
               WHEN 'phone' THEN '''+39 06 '' || lpad((g % 10000000)::text, 7, ''0'')'
               WHEN 'phone_sanitized' THEN '''+3906'' || lpad((g % 10000000)::text, 7, ''0'')'
               WHEN 'mobile' THEN 'NULL'
               WHEN 'parent_id' THEN 'NULL'
               WHEN 'user_id' THEN 'NULL'
               WHEN 'company_id' THEN 'NULL'
               WHEN 'country_id' THEN '(SELECT id FROM res_country WHERE code = ''IT'')'
               WHEN 'state_id' THEN 'NULL'
               WHEN 'tz' THEN '''Europe/Rome'''
               WHEN 'customer_rank' THEN '1'
               WHEN 'create_date' THEN 'now()'
               WHEN 'write_date' THEN 'now()'
               ELSE 'p.' || quote_ident(column_name) END,
               ', ' ORDER BY ordinal_position)
      INTO cols, src
      FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name = 'res_partner' AND column_name <> 'id';
    EXECUTE format(
        'INSERT INTO res_partner (%s) SELECT %s FROM res_partner p, generate_series(1, %s) g '
        'WHERE p.id = %s', cols, src, n, template_partner);
    UPDATE res_partner SET commercial_partner_id = id WHERE id > floor_id;

    SELECT id INTO template_order FROM sale_order WHERE state = 'sale' ORDER BY id LIMIT 1;
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
           string_agg(CASE column_name
               WHEN 'name' THEN '''SCALE'' || p.id'
               WHEN 'partner_id' THEN 'p.id'
               WHEN 'partner_invoice_id' THEN 'p.id'
               WHEN 'partner_shipping_id' THEN 'p.id'
               WHEN 'access_token' THEN 'NULL'
               WHEN 'date_order' THEN 'now() - (p.id % 730) * interval ''1 day'''
               ELSE 'o.' || quote_ident(column_name) END,
               ', ' ORDER BY ordinal_position)
      INTO cols, src
      FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name = 'sale_order' AND column_name <> 'id';
    EXECUTE format(
        'INSERT INTO sale_order (%s) SELECT %s FROM sale_order o, res_partner p '
        'WHERE o.id = %s AND p.id > %s AND p.id %% 5 = 0', cols, src, template_order, floor_id);
END $$;
ANALYZE res_partner;
ANALYZE sale_order;
