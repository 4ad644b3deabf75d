-- Erasure leaves a tombstone (id and time only) so later events about the member are
-- suppressed quietly; proposals are kept (ids only) so a cancellation or expiry, which
-- names just the proposal, can reach the members who had been asked.
ALTER TABLE recipients ADD COLUMN erased_at timestamptz;

CREATE TABLE proposals (
    proposal_id  uuid PRIMARY KEY,
    requester_id uuid NOT NULL,
    helper_id    uuid NOT NULL,
    kind         text NOT NULL,
    home_area    text NOT NULL
);
