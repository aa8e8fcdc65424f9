-- Checks the rows V14_1's constraint was added over (SHARE UPDATE EXCLUSIVE: reads and writes go on).
ALTER TABLE webhook_inbox VALIDATE CONSTRAINT webhook_inbox_due_times;
