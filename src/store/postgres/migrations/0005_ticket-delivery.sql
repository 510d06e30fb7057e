-- Up Migration
--
-- Helpline schema 5: whether a public staff reply reached the customer (src/store/schema.ts ticketDeliverySchema).
-- One jsonb value per ticket message, absent for internal notes and customers' own messages; its `status` is the
-- compare-and-set key of a delivery claim (TicketRepository.setDelivery), so two instances cannot both deliver it.

ALTER TABLE ticket_messages ADD COLUMN delivery jsonb;
ALTER TABLE ticket_messages ADD CONSTRAINT ticket_messages_delivery_check CHECK (
  delivery IS NULL OR (
    jsonb_typeof(delivery) = 'object'
    AND delivery->>'status' IN ('pending', 'sending', 'delivered', 'queued', 'failed', 'undeliverable')
    AND jsonb_typeof(delivery->'at') = 'string'
    AND (delivery->>'threadKey' IS NULL OR char_length(delivery->>'threadKey') <= 500)
    AND (delivery->>'reason' IS NULL OR char_length(delivery->>'reason') <= 500)));
-- Replies still waiting for (or stuck in) delivery, for a sweep or an operator's query.
CREATE INDEX ticket_messages_delivery_open_idx ON ticket_messages (ticket_id) WHERE delivery->>'status' IN ('pending', 'sending');

-- Down Migration

DROP INDEX ticket_messages_delivery_open_idx;
ALTER TABLE ticket_messages DROP CONSTRAINT ticket_messages_delivery_check, DROP COLUMN delivery;
