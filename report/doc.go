// Package report writes the results of a run and reads them back.
//
// A Writer owns a report folder:
//
//   - results.csv is the ledger of a job: one row per input record, in
//     input order, appended as records finish and flushed by Flush. Text
//     cells that a spreadsheet would run as a formula get a leading
//     single quote (see below). ReadResults reads it back.
//   - rejected.csv, rejected-<input>.csv and rejected.jsonl hold the
//     invalid and failed records with their original values, written at
//     Close from rejected.journal. A rejected CSV row is the reason, in a
//     first column named error, followed by the record's cells exactly
//     as read, so that the file can be fixed and imported again.
//   - summary.json holds the counts of the whole job and the exit code,
//     written last by Close; a folder without it holds an unfinished job.
//   - sending.log lists the records about to be sent (Sending) and the
//     ones whose attempts all got a response (Settled), so that a resumed
//     run can tell which records an earlier run may have created
//     (MaybeSent).
//
// A resumed run (mode Resume) reads results.csv back, skips the records
// that reached a final status (Resumed) and retries the rest; Close then
// merges the kept and the new rows into input order. Every file is
// either appended in whole rows or replaced in one rename, so a run
// killed at any moment leaves a folder that the next resume reads.
//
// # Formula neutralisation
//
// A results.csv cell starting with =, +, -, @, TAB or CR gets a leading
// single quote, following OWASP's advice on CSV injection, so that a
// spreadsheet shows it as text. A cell that is one of these characters
// alone is not a formula and keeps its value, so a file read from
// standard input shows as "-". A cell already starting with a single
// quote gets a second one, a lone quote included, which makes the rule
// reversible: ReadResults removes exactly one leading quote. The rule
// applies to every text cell. The numeric cells we write are never
// negative, so they never get the quote. The rejected files keep the
// original values verbatim.
package report
