-- The seed plan's tables, indexes and three functions, in schema `plan`, for
-- bench/sql_functions.py. Copied from /work/shared/seed/000_2203919a77431bcf.txt
-- and corrected only enough to run; every correction is marked "FIX".
-- The bench runs this file with search_path = plan, fills the tables from our
-- public tables between the sections, and calls the functions with
-- search_path = plan (PL/pgSQL resolves table names at call time).
-- No RLS here: the plan's backend calls these with the service key.

-- @section tables
CREATE TABLE leads (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),  -- FIX #8: no uuid-ossp
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW(),
    name VARCHAR(255) NOT NULL,
    email VARCHAR(255) NOT NULL,
    phone VARCHAR(20),
    company VARCHAR(255),
    role VARCHAR(100),
    location VARCHAR(255),
    message TEXT,
    source VARCHAR(100) DEFAULT 'website_form',
    status VARCHAR(50) DEFAULT 'new',
    first_response_at TIMESTAMP,
    last_contact_at TIMESTAMP,
    conversion_date TIMESTAMP
    -- FIX #1: UNIQUE (email, created_at::date) is a syntax error; an index below.
);

CREATE TABLE lead_products (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    lead_id UUID NOT NULL,
    created_at TIMESTAMP DEFAULT NOW(),
    category VARCHAR(100) NOT NULL,
    product VARCHAR(255) NOT NULL,
    quantity VARCHAR(100),
    notes TEXT
);

CREATE TABLE lead_activity (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    lead_id UUID NOT NULL,
    created_at TIMESTAMP DEFAULT NOW(),
    updated_at TIMESTAMP DEFAULT NOW(),
    type VARCHAR(50) NOT NULL,
    status VARCHAR(50) DEFAULT 'completed',
    message TEXT NOT NULL,
    actor_type VARCHAR(50) DEFAULT 'system',
    actor_id VARCHAR(255),
    metadata JSONB
);

CREATE TABLE assignments (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    lead_id UUID NOT NULL,
    assigned_at TIMESTAMP DEFAULT NOW(),
    owner_id VARCHAR(255) NOT NULL,
    owner_name VARCHAR(255),
    sla_deadline TIMESTAMP NOT NULL,
    sla_met BOOLEAN,
    response_time_minutes INTEGER,
    status VARCHAR(50) DEFAULT 'active',
    completed_at TIMESTAMP
);

-- @section indexes
-- Built after the load, as a bulk load would; the plan's own indexes only.
CREATE UNIQUE INDEX leads_email_created_key ON leads (email, (created_at::date));  -- FIX #1
CREATE INDEX idx_leads_status ON leads(status);
CREATE INDEX idx_leads_created_at ON leads(created_at DESC);
CREATE INDEX idx_leads_email ON leads(email);

ALTER TABLE lead_products ADD CONSTRAINT fk_lead_products_lead FOREIGN KEY (lead_id)
    REFERENCES leads(id) ON DELETE CASCADE;
CREATE INDEX idx_lead_products_lead_id ON lead_products(lead_id);
CREATE INDEX idx_lead_products_category ON lead_products(category);

ALTER TABLE lead_activity ADD CONSTRAINT fk_lead_activity_lead FOREIGN KEY (lead_id)
    REFERENCES leads(id) ON DELETE CASCADE;
CREATE INDEX idx_lead_activity_lead_id ON lead_activity(lead_id);
CREATE INDEX idx_lead_activity_type ON lead_activity(type);
CREATE INDEX idx_lead_activity_status ON lead_activity(status);
CREATE INDEX idx_lead_activity_created_at ON lead_activity(created_at DESC);
CREATE INDEX idx_lead_activity_metadata ON lead_activity USING GIN (metadata);

ALTER TABLE assignments ADD CONSTRAINT fk_assignments_lead FOREIGN KEY (lead_id)
    REFERENCES leads(id) ON DELETE CASCADE;
CREATE INDEX idx_assignments_lead_id ON assignments(lead_id);
CREATE INDEX idx_assignments_owner_id ON assignments(owner_id);
CREATE INDEX idx_assignments_sla_deadline ON assignments(sla_deadline);
CREATE INDEX idx_assignments_status ON assignments(status);

-- @section functions
CREATE OR REPLACE FUNCTION get_lead_full(lead_uuid UUID)
RETURNS JSON AS $$
DECLARE
  result JSON;
BEGIN
  SELECT json_build_object(
    'lead', row_to_json(l.*),
    'products', (
      SELECT json_agg(lp.*)
      FROM lead_products lp
      WHERE lp.lead_id = lead_uuid
    ),
    'current_assignment', (
      SELECT row_to_json(a.*)
      FROM assignments a
      WHERE a.lead_id = lead_uuid
        AND a.status = 'active'
      LIMIT 1
    ),
    'ai_analysis', (
      SELECT metadata
      FROM lead_activity
      WHERE lead_id = lead_uuid
        AND type = 'ai_result'
      ORDER BY created_at DESC
      LIMIT 1
    ),
    'activities', (
      SELECT json_agg(la.* ORDER BY la.created_at DESC)
      FROM lead_activity la
      WHERE la.lead_id = lead_uuid
    ),
    'pending_follow_ups', (
      -- FIX #3: ORDER BY moved inside the aggregate (outside it, every call fails).
      SELECT json_agg(la.* ORDER BY (metadata->>'scheduled_for')::timestamp ASC)
      FROM lead_activity la
      WHERE la.lead_id = lead_uuid
        AND la.type = 'follow_up'
        AND la.status = 'pending'
    ),
    'pending_approvals', (
      -- FIX #3, as above.
      SELECT json_agg(la.* ORDER BY created_at DESC)
      FROM lead_activity la
      WHERE la.lead_id = lead_uuid
        AND la.type = 'approval'
        AND la.status = 'pending'
    )
  ) INTO result
  FROM leads l
  WHERE l.id = lead_uuid;

  RETURN result;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION get_dashboard_stats()
RETURNS JSON AS $$
BEGIN
  RETURN json_build_object(
    'total_leads', (SELECT COUNT(*) FROM leads),
    'new_leads_today', (
      SELECT COUNT(*)
      FROM leads
      WHERE created_at::date = CURRENT_DATE
    ),
    'pending_follow_ups', (
      SELECT COUNT(*)
      FROM lead_activity
      WHERE type = 'follow_up'
        AND status = 'pending'
        AND (metadata->>'scheduled_for')::timestamp <= NOW() + INTERVAL '1 hour'
    ),
    'pending_approvals', (
      SELECT COUNT(*)
      FROM lead_activity
      WHERE type = 'approval'
        AND status = 'pending'
    ),
    'sla_violations', (
      SELECT COUNT(*)
      FROM assignments
      WHERE status = 'active'
        AND sla_deadline < NOW()
    ),
    'avg_response_time_minutes', (
      SELECT ROUND(AVG(response_time_minutes), 0)
      FROM assignments
      WHERE completed_at IS NOT NULL
        AND completed_at > NOW() - INTERVAL '30 days'
    ),
    'conversion_rate', (
      SELECT ROUND(
        (COUNT(*) FILTER (WHERE status = 'converted')::numeric /
         NULLIF(COUNT(*), 0) * 100), 2
      )
      FROM leads
      WHERE created_at > NOW() - INTERVAL '30 days'
    )
  );
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION get_pending_follow_ups()
RETURNS TABLE (
  activity_id UUID,
  lead_id UUID,
  lead_name VARCHAR,
  action VARCHAR,
  scheduled_for TIMESTAMP,
  message TEXT
) AS $$
BEGIN
  RETURN QUERY
  SELECT
    la.id,
    la.lead_id,
    l.name,
    (la.metadata->>'action')::VARCHAR,
    (la.metadata->>'scheduled_for')::TIMESTAMP,
    la.message
  FROM lead_activity la
  JOIN leads l ON l.id = la.lead_id
  WHERE la.type = 'follow_up'
    AND la.status = 'pending'
    AND (la.metadata->>'scheduled_for')::TIMESTAMP <= NOW()
  ORDER BY (la.metadata->>'scheduled_for')::TIMESTAMP ASC;
END;
$$ LANGUAGE plpgsql;
