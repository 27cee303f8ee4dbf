import type { DiffFile } from '../../../domain/review';
import { DIMENSIONS, ModelOutput, SEVERITY_RANK } from '../../../domain/review';
import { analyzeChunk, prepareLocalAnalyzer } from '../../../activities/providers/local';
import { added, chunk, file } from './chunk';

beforeAll(() => prepareLocalAnalyzer());

function ruleIds(engine: 'rules' | 'ast', ...files: DiffFile[]): string[] {
  return ModelOutput.parse(analyzeChunk(engine, chunk(...files))).findings.map(
    (f) => `${f.ruleId}@${f.startLine}`,
  );
}

const complexTs = added(`
/** Maps a status to a label. */
export function label(s: string, strict: boolean, n: number): string {
  if (s === 'a' && strict) return 'A';
  if (s === 'b' || n > 2) return 'B';
  if (s === 'c') return n ? 'C' : 'c';
  for (const x of [1, 2]) if (x === n) return 'X';
  while (n-- > 0) if (strict) break;
  switch (s) {
    case 'd': return 'D';
    case 'e': return 'E';
    case 'f': return 'F';
  }
  return s ?? 'none';
}
`);

describe('findings in every dimension', () => {
  it('reports code after a return as unreachable and a mutable default as a correctness bug', () => {
    const ts = file(
      'src/a.ts',
      'typescript',
      added(`function f(x: number) {\n  return x;\n  x++;\n}`),
    );
    expect(ruleIds('ast', ts)).toContain('ast/unreachable-code@3');
    const py = file(
      'app/cart.py',
      'python',
      added(`def add(item, items=[]):\n    """Adds."""\n    items.append(item)\n    return items`),
    );
    expect(ruleIds('ast', py)).toContain('ast/mutable-default-argument@1');
  });

  it('flags Java string comparison by reference in both engines', () => {
    const java = file(
      'src/main/java/A.java',
      'java',
      added(`class A {\n  boolean admin(String role) {\n    return role == "admin";\n  }\n}`),
    );
    expect(ruleIds('ast', java)).toContain('ast/string-reference-equality@3');
    expect(ruleIds('rules', java)).toContain('rules/string-reference-equality@3');
  });

  it('flags disabled TLS verification and MD5 password hashing as security', () => {
    const go = file(
      'pkg/client.go',
      'go',
      added(`package pkg\n\nvar cfg = &tls.Config{InsecureSkipVerify: true}`),
    );
    expect(ruleIds('rules', go)).toContain('rules/insecure-tls@3');
    const py = file(
      'app/auth.py',
      'python',
      added(
        `def store(password):\n    digest = hashlib.md5(password.encode()).hexdigest()\n    return digest`,
      ),
    );
    expect(ruleIds('rules', py)).toContain('rules/weak-password-hash@2');
  });

  it('finds a query per loop iteration, defer in a loop and sync I/O in a handler (performance)', () => {
    const ts = file(
      'src/report.ts',
      'typescript',
      added(
        `async function load(ids: string[]) {\n  for (const id of ids) {\n    await db.query('SELECT * FROM t WHERE id = $1', [id]);\n  }\n}`,
      ),
    );
    expect(ruleIds('ast', ts)).toContain('ast/query-in-loop@3');
    expect(ruleIds('rules', ts)).toContain('rules/query-in-loop@3');
    const go = file(
      'pkg/files.go',
      'go',
      added(
        `package pkg\n\nfunc readAll(paths []string) {\n\tfor _, p := range paths {\n\t\tf, _ := os.Open(p)\n\t\tdefer f.Close()\n\t}\n}`,
      ),
    );
    expect(ruleIds('ast', go)).toContain('ast/defer-in-loop@6');
    const handler = file(
      'src/server.ts',
      'typescript',
      added(`app.get('/cfg', (req, res) => {\n  res.send(fs.readFileSync('cfg.json'));\n});`),
    );
    expect(ruleIds('rules', handler)).toContain('rules/blocking-io-in-handler@2');
  });

  it('measures complexity and catches debug leftovers (maintainability)', () => {
    expect(ruleIds('ast', file('src/label.ts', 'typescript', complexTs))).toContain(
      'ast/high-complexity@2',
    );
    const java = file(
      'src/main/java/B.java',
      'java',
      added(`class B {\n  void run() {\n    System.out.println("here");\n  }\n}`),
    );
    expect(ruleIds('rules', java)).toContain('rules/debug-leftover@3');
    const py = file(
      'app/calc.py',
      'python',
      added(`def total(xs):\n    """Sums."""\n    unused = len(xs)\n    return sum(xs)`),
    );
    expect(ruleIds('ast', py)).toContain('ast/unused-variable@3');
  });

  it('flags domain code importing infrastructure (architecture)', () => {
    const ts = file(
      'src/domain/order.ts',
      'typescript',
      added(`import { Pool } from 'pg';\nexport type Order = { id: string };`),
    );
    expect(ruleIds('rules', ts)).toContain('rules/layer-violation@1');
  });

  it('flags tests that assert nothing and code that arrives without tests (testing)', () => {
    const test = file('tests/test_cart.py', 'python', added(`def test_add():\n    add("x")`));
    expect(ruleIds('ast', test)).toContain('ast/test-without-assertions@1');
    const code = file(
      'app/cart.py',
      'python',
      added(`def add(item):\n    """Adds an item."""\n    return [item]`),
    );
    expect(ruleIds('rules', code)).toContain('rules/missing-tests@1');
    expect(ruleIds('rules', code, test)).not.toContain('rules/missing-tests@1');
  });

  it('flags exported API without doc comments in both engines (documentation)', () => {
    const go = file(
      'pkg/api.go',
      'go',
      added(`package pkg\n\nfunc Exported() int {\n\treturn 1\n}`),
    );
    expect(ruleIds('ast', go)).toContain('ast/undocumented-public-api@3');
    expect(ruleIds('rules', go)).toContain('rules/missing-doc-comment@3');
  });

  it('covers all seven dimensions across the examples above', () => {
    const files = [
      file('src/a.ts', 'typescript', added(`function f(x: number) {\n  return x;\n  x++;\n}`)),
      file(
        'pkg/client.go',
        'go',
        added(
          `package pkg\n\nvar cfg = &tls.Config{InsecureSkipVerify: true}\n\nfunc Exported() int {\n\treturn 1\n}`,
        ),
      ),
      file('src/label.ts', 'typescript', complexTs),
      file('src/domain/order.ts', 'typescript', added(`import { Pool } from 'pg';`)),
      file(
        'src/report.ts',
        'typescript',
        added(
          `async function load(ids: string[]) {\n  for (const id of ids) {\n    await db.query('SELECT 1', [id]);\n  }\n}`,
        ),
      ),
    ];
    const seen = new Set(
      ['rules', 'ast'].flatMap((e) =>
        analyzeChunk(e as 'rules', chunk(...files)).findings.map((f) => f.dimension),
      ),
    );
    expect([...seen].sort()).toEqual([...DIMENSIONS].sort());
  });
});

describe('anchoring', () => {
  it('reports nothing on context lines, only on what the change added', () => {
    const f = file(
      'app/db.py',
      'python',
      ` def legacy(uid):
     cur.execute("SELECT * FROM users WHERE id = " + uid)
+    log.info("looked up %s", uid)`,
      10,
    );
    for (const engine of ['rules', 'ast'] as const) {
      const out = analyzeChunk(engine, chunk(f));
      expect(out.findings.filter((x) => x.dimension === 'security')).toEqual([]);
      for (const x of out.findings) expect(x.startLine).toBe(12);
    }
  });
});

describe('clean code', () => {
  const clean: DiffFile[] = [
    file(
      'src/users/repository.ts',
      'typescript',
      added(`
import type { Pool } from 'pg';

/** Loads one user by id with a parameterised query. */
export async function findUser(pool: Pool, id: string): Promise<User | undefined> {
  const apiKey = process.env.API_KEY;
  const { rows } = await pool.query('SELECT id, name FROM users WHERE id = $1', [id]);
  if (rows.length === 0 || !apiKey) return undefined;
  try {
    return toUser(rows[0]);
  } catch (err) {
    logger.warn({ err, id }, 'bad user row');
    throw err;
  }
}
`),
    ),
    file(
      'app/users.py',
      'python',
      added(`
import os


def find_user(conn, user_id):
    """Loads one user by id."""
    password = os.environ["DB_PASSWORD"]
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM users WHERE id = %s", (user_id,))
        row = cur.fetchone()
    if row is None:
        raise LookupError(user_id)
    return {"id": row[0], "name": row[1], "auth": bool(password)}
`),
    ),
    file(
      'internal/users/store.go',
      'go',
      added(`
package users

// Find loads one user by id.
func Find(ctx context.Context, db *sql.DB, id string) (User, error) {
	var u User
	token := os.Getenv("API_TOKEN")
	err := db.QueryRowContext(ctx, "SELECT id, name FROM users WHERE id = $1", id).Scan(&u.ID, &u.Name)
	if err != nil {
		return User{}, fmt.Errorf("find user %s: %w", id, err)
	}
	u.Authorized = token != ""
	return u, nil
}
`),
    ),
    file(
      'src/main/java/com/shop/Users.java',
      'java',
      added(`
package com.shop;

public class Users {
    /** Loads one user by name with a prepared statement. */
    public User find(Connection conn, String name) throws SQLException {
        String password = System.getenv("DB_PASSWORD");
        try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM users WHERE name = ?")) {
            ps.setString(1, name);
            ResultSet rs = ps.executeQuery();
            return rs.next() ? User.from(rs, password) : null;
        }
    }
}
`),
    ),
  ];

  it.each(clean.map((f) => [f.path, f] as const))(
    '%s gets no high or critical finding from either engine',
    (_, f) => {
      for (const engine of ['rules', 'ast'] as const) {
        const serious = analyzeChunk(engine, chunk(f)).findings.filter(
          (x) => SEVERITY_RANK[x.severity] >= SEVERITY_RANK.high,
        );
        expect(serious).toEqual([]);
      }
    },
  );

  it('keeps parameterised queries, env-read secrets and handled errors out of security and correctness', () => {
    for (const engine of ['rules', 'ast'] as const) {
      const out = analyzeChunk(engine, chunk(...clean));
      expect(
        out.findings.filter((x) => x.dimension === 'security' || x.dimension === 'correctness'),
      ).toEqual([]);
    }
  });
});
