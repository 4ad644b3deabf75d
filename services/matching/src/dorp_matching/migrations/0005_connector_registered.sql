-- Who registered a member (a connector on behalf of a parent without internet), and the
-- connector whose review queue a proposal is in (NULL: any connector of the region).
ALTER TABLE members ADD COLUMN registered_by text NOT NULL DEFAULT 'self';
ALTER TABLE members ADD COLUMN connector_id uuid;
ALTER TABLE proposals ADD COLUMN reviewer_id uuid;
