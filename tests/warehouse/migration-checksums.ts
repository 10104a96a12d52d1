/**
 * The sha256 of every landed migration in warehouse/migrations/ (file text, line endings
 * normalised to LF). Landed migrations are frozen (docs/operations.md, "Migrations"):
 * tests/warehouse/frozen-migrations.test.ts fails when a file no longer matches its hash,
 * and when a dated migration has no entry here. Add a line when a new migration lands;
 * never change one.
 */
export const LANDED_MIGRATIONS: Readonly<Record<string, string>> = {
  '2026-11-23T1200-create-warehouse': 'b64c14ab3f06b06b6e08ab1580366c274d6da436ac19833e7e862129ff41d810',
  '2026-11-23T1210-seed-instruments': '689b9805a16ecc45df0aba077f657a12ef61a73812177710acfe3408dadb1624',
  '2026-11-23T1220-create-models': 'c34274d6c013e57d453f8d8dd958273cafda5d374de4f53e8757e655c0dd4c63',
  '2026-11-23T1230-create-users-audit': 'a4ea3dd935a4d08d4df365ba47b142427d4de16ab298da87dac56752ab747394',
  '2026-11-23T1400-create-ingest-jobs': '68aad9b13dcb040e03dabe543a1b939a98133fa63ea7837eaeebc922cbfe04b9',
  '2026-11-23T1500-metric-models': '2bdcfec1064b664883723f5591f6e67497179b5523fa01e10233e02c0c22f89b',
  '2026-11-27T1000-weekly-columns': 'e4bdb1c262cf10e8c141adb3967669b3a467e23051dddd74524ea38f39ca096e',
  '2026-11-27T1600-track-day-rollups': '1ace0dd521da43aa5034d13e9a99a84a58c08ae0b73dcc9cba7b4354bed8543b',
  '2026-11-27T1900-count-rollups': 'f57a22c80230c70ddd2b520a5671b6fd6777d0690d15e3f13a62727f60d82177',
  '2026-12-06T1405-reconcile-edited-migrations': 'ef329574fcdbd5be652e069964cd5162b414bd84ccd86dafc76e9a3c117516c3',
  '2026-12-06T1421-audit-chain': '487cef217118c09f9f9c46ca98314cb953eb241700cc2885d12696210cbdafcc',
  '2026-12-06T1447-progress-fits': 'ba24478d47defb82eed1ed4a43459008529fb2df2d8730158cf674ec58ac4534',
  '2026-12-06T1452-sites-clinicians': 'b1a49cd07b56be868d8963ebff65e27e8fe05c828e13a8504fe6b0312e624730',
  '2026-12-06T1631-followups': '684975416172bfff2117a87ff156f12d0d2e1f1db8df6139f0c951405f0ce0b7',
  '2026-12-06T1637-model-units': 'cc2eafbede1d9530b53294b8aed19ea1c8043f7b40a1da33b246d8314b042b6e',
  '2026-12-06T1641-clinician-role': '08707a80f8215238c9f6ffb506922cf487e718f6667a4fd893db20176f28a477',
  '2026-12-06T1647-iet-first-contact': '58167e4385e75efa64b54599826cb694b05fd9c065393533d78d254978b46d57',
  '2026-12-06T1920-measure-model': 'e2948c6f5324578015ca048ca9e4c60d3676fe38ecd910005f5001e082ac5479',
  '2026-12-06T1930-progress-latest': 'c38d9d9e57f571608218bf0bff8479145035393c46d4448778b3f6456c5ac5b3',
  '2026-12-06T2040-episode-facilitators': '9a8ac39dfcafd94e514ed5b938fb92f8632edc3112f275bed810fcc93193de47',
  '2026-12-06T2200-teds-d-lines': '5d9f3af0a9f90a5a706036eea2303e47d6c2583163c24ada4fbd836e12221acc',
};
