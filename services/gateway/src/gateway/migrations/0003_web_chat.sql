-- The web chat: approvals asked for in a web conversation have no Telegram chat, and a
-- turn that tells the user what became of an approval names it, so a transcript can show
-- the decision instead of the note the model was given.
ALTER TABLE approvals ALTER COLUMN chat_id DROP NOT NULL;
ALTER TABLE turns ADD COLUMN reports_on uuid REFERENCES approvals (id);
