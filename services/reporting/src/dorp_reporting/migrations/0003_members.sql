-- Members over time: what role and area a member has now, and, after erasure, an anonymous
-- departure row (no member id) so volunteer engagement over time keeps its history.
CREATE TABLE member_departures (
    event_id      uuid        PRIMARY KEY,
    role          text        NOT NULL,
    home_area     text        NOT NULL,
    registered_at timestamptz NOT NULL,
    left_at       timestamptz NOT NULL,
    reason        text        NOT NULL
);

CREATE INDEX members_registered ON members (registered_at);
CREATE INDEX member_departures_left ON member_departures (left_at);
