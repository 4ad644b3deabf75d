-- The bare ids of erased members, nothing else: events that stay in other streams (match
-- proposals, attendance records) still carry the id, and must not link it again.
CREATE TABLE erased_members (
    member_id uuid        PRIMARY KEY,
    erased_at timestamptz NOT NULL
);
