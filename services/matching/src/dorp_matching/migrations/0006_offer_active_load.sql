-- How many active proposals (awaiting review, proposed, accepted, confirmed) hold a slot of
-- each offer, kept by triggers on proposals: every change of a proposal, wherever it is
-- made, in its own transaction. The candidate search walks only offers with a slot left
-- (the partial index below): a full offer at the head of its kind and area is no longer
-- read and counted again by every search after it.
ALTER TABLE offers ADD COLUMN active_load integer NOT NULL DEFAULT 0;

UPDATE offers o SET active_load = held.n
FROM (
    SELECT offer_id, count(*) AS n FROM proposals
    WHERE status IN ('awaiting_review', 'proposed', 'accepted', 'confirmed')
    GROUP BY offer_id
) held
WHERE held.offer_id = o.offer_id;

CREATE FUNCTION offer_active_load() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    active CONSTANT text[] := ARRAY['awaiting_review', 'proposed', 'accepted', 'confirmed'];
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.status = ANY (active) THEN
            UPDATE offers SET active_load = active_load - 1 WHERE offer_id = OLD.offer_id;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.status = ANY (active) THEN
            UPDATE offers SET active_load = active_load + 1 WHERE offer_id = NEW.offer_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER proposals_offer_load_added AFTER INSERT OR DELETE ON proposals
    FOR EACH ROW EXECUTE FUNCTION offer_active_load();
CREATE TRIGGER proposals_offer_load_changed AFTER UPDATE OF status, offer_id ON proposals
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.offer_id IS DISTINCT FROM NEW.offer_id)
    EXECUTE FUNCTION offer_active_load();

DROP INDEX offers_open_by_kind_area;
CREATE INDEX offers_open_by_kind_area ON offers (kind, home_area, offered_at, offer_id)
    WHERE closed_at IS NULL AND active_load < capacity;
