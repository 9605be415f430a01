// scripts/bench_duckdb.mjs: the DuckDB side of the generic columnar
// baseline of scripts/bench (issue 3, item 6), run by scripts/bench_duckdb.sh
// with node. @duckdb/node-api is loaded from the npm cache directory named
// by $DUCKDB_NODE_DIR (where bench_duckdb.sh installed it).
//
//   node bench_duckdb.mjs convert CSV PARQUET [COLUMN...]
//       Load `kiln query --format csv` output (time_ns, label columns,
//       trace_id, span_id, stack, one BIGINT column per sample type) and
//       write it, less the COLUMNs named, as Parquet with zstd: one Parquet
//       row per kiln sample row, in the CSV's order, the stack as a
//       string. Prints "ROWS SECONDS". A CSV path ending in .parquet is
//       read as Parquet (to drop columns from a file written before).
//   node bench_duckdb.mjs query PARQUET SERVICE TYPE OUT
//       SELECT stack, sum(TYPE) ... WHERE service_name = SERVICE GROUP BY
//       stack, written to OUT as folded lines ("stack value", zero sums and
//       the empty stack left out, as kiln's folded output does). Prints the
//       time of the query alone (statement to last line written, not the
//       process or DuckDB's start) on stderr: "query: MS ms, N stacks, T
//       threads".
import { createRequire } from 'node:module';
import { openSync, readSync, closeSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

function die(msg) {
    process.stderr.write(`bench_duckdb.mjs: ${msg}\n`);
    process.exit(1);
}

const dir = process.env.DUCKDB_NODE_DIR;
if (!dir)
    die('DUCKDB_NODE_DIR is not set');
const require = createRequire(`${dir}/`);
const { DuckDBInstance } = await import(
    pathToFileURL(require.resolve('@duckdb/node-api')).href);

// SQL identifier and string literal quoting.
const ident = (s) => `"${s.replaceAll('"', '""')}"`;
const lit = (s) => `'${s.replaceAll("'", "''")}'`;

// The CSV's header line, split (kiln quotes only names holding , " or a
// line break, which label names and sample types do not).
function header(path) {
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    closeSync(fd);
    const line = buf.subarray(0, n).toString('utf8').split('\n')[0];
    if (!line.startsWith('time_ns,') || !line.includes(',stack'))
        die(`${path}: not kiln csv output (header "${line.slice(0, 80)}")`);
    return line.split(',');
}

const [cmd, ...args] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();

if (cmd === 'convert' && args.length >= 2) {
    const [csv, parquet, ...drop] = args;
    let src = `read_parquet(${lit(csv)})`;
    if (!csv.endsWith('.parquet')) {
        const cols = header(csv);
        const stackAt = cols.indexOf('stack');
        if (stackAt < 0)
            die(`${csv}: no stack column`);
        // time_ns and the values BIGINT, labels, links and stack VARCHAR:
        // nothing left to the sniffer.
        const types = cols.map((c, i) =>
            `${lit(c)}: ${i === 0 || i > stackAt ? "'BIGINT'" : "'VARCHAR'"}`);
        src = `read_csv(${lit(csv)}, header = true, delim = ',', ` +
            `quote = '"', escape = '"', columns = {${types.join(', ')}})`;
    }
    const t0 = process.hrtime.bigint();
    const exclude = drop.length ?
        ` EXCLUDE (${drop.map(ident).join(', ')})` : '';
    await con.run(`COPY (SELECT *${exclude} FROM ${src}) TO ${lit(parquet)} ` +
        '(FORMAT parquet, COMPRESSION zstd)');
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const r = await con.runAndReadAll(
        `SELECT count(*)::VARCHAR FROM read_parquet(${lit(parquet)})`);
    process.stdout.write(`${r.getRows()[0][0]} ${secs.toFixed(3)}\n`);
} else if (cmd === 'query' && args.length === 4) {
    const [parquet, service, type, out] = args;
    const t0 = process.hrtime.bigint();
    const st = await con.prepare(
        `SELECT stack, sum(${ident(type)})::VARCHAR AS v ` +
        `FROM read_parquet(${lit(parquet)}) WHERE service_name = $1 ` +
        `GROUP BY stack HAVING sum(${ident(type)}) <> 0 AND stack <> ''`);
    st.bindVarchar(1, service);
    const reader = await st.runAndReadAll();
    const lines = reader.getRows().map(([s, v]) => `${s} ${v}\n`);
    writeFileSync(out, lines.join(''));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const th = await con.runAndReadAll(
        "SELECT current_setting('threads')::VARCHAR");
    process.stderr.write(`query: ${ms.toFixed(3)} ms, ${lines.length} ` +
        `stacks, ${th.getRows()[0][0]} threads\n`);
} else {
    die('usage: bench_duckdb.mjs convert CSV PARQUET [COLUMN...] | ' +
        'query PARQUET SERVICE TYPE OUT');
}
