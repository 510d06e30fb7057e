-- Up Migration
--
-- Helpline schema 4 (issue 17): a customer can freeze a card at once (instant, reversible), and unfreezing it is a
-- new kind of approval that staff decide, like a deactivation. A frozen card can be deactivated, so
-- `deactivated_at` still belongs to deactivated cards only.

ALTER TABLE cards DROP CONSTRAINT cards_status_check,
  ADD CONSTRAINT cards_status_check CHECK (status IN ('active', 'frozen', 'deactivated'));

ALTER TABLE approvals DROP CONSTRAINT approvals_action_check,
  ADD CONSTRAINT approvals_action_check CHECK (action IN ('password_change', 'card_deactivation', 'card_unfreeze'));

-- Card actions name their card; a password change names none.
ALTER TABLE approvals DROP CONSTRAINT approvals_card_check,
  ADD CONSTRAINT approvals_card_check CHECK ((action IN ('card_deactivation', 'card_unfreeze')) = (card_id IS NOT NULL));

-- Down Migration

ALTER TABLE approvals DROP CONSTRAINT approvals_card_check,
  ADD CONSTRAINT approvals_card_check CHECK ((action = 'card_deactivation') = (card_id IS NOT NULL));
ALTER TABLE approvals DROP CONSTRAINT approvals_action_check,
  ADD CONSTRAINT approvals_action_check CHECK (action IN ('password_change', 'card_deactivation'));
ALTER TABLE cards DROP CONSTRAINT cards_status_check,
  ADD CONSTRAINT cards_status_check CHECK (status IN ('active', 'deactivated'));
