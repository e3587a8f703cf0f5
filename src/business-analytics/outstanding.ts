// What customers owe now: open and overdue invoices' amount due, per currency (revenue and finance stats).
export const outstandingSql = `SELECT currency, sum(amount_due) AS amount, count(*) AS invoices FROM invoices
  WHERE account_id = $1 AND status IN ('open', 'overdue') AND amount_due > 0 GROUP BY currency`;
