import type { Handler } from './call.js';

/** A malformed escape (`%zz`) stays as sent: the lookup then fails with a 404, not a crash. */
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

export interface Match {
  handler: Handler;
  params: Record<string, string>;
}

/**
 * Method + path patterns. `{name}` matches one segment; `{name:.*}` matches the rest, for image
 * references that carry `/` and `:` unescaped (`/images/127.0.0.1:5000/demo:v1/json`). Routes are
 * tried in the order they were added, so add the more specific ones first.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, handler: Handler): this {
    const names: string[] = [];
    // Literal text is escaped; a placeholder's own pattern is not.
    const src = path
      .split(/(\{\w+(?::[^}]+)?\})/)
      .map((part) => {
        const m = /^\{(\w+)(?::([^}]+))?\}$/.exec(part);
        if (!m) return part.replace(/[.*+?^$()[\]\\|]/g, '\\$&');
        names.push(m[1]!);
        return m[2] ? `(${m[2]})` : '([^/]+)';
      })
      .join('');
    this.routes.push({ method, pattern: new RegExp(`^${src}/?$`), names, handler });
    return this;
  }

  get(path: string, h: Handler): this {
    return this.add('GET', path, h);
  }
  post(path: string, h: Handler): this {
    return this.add('POST', path, h);
  }
  put(path: string, h: Handler): this {
    return this.add('PUT', path, h);
  }
  delete(path: string, h: Handler): this {
    return this.add('DELETE', path, h);
  }
  head(path: string, h: Handler): this {
    return this.add('HEAD', path, h);
  }

  /** `undefined` when no route has the path; `'method'` when the path exists under another method. */
  match(method: string, path: string): Match | 'method' | undefined {
    let pathSeen = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathSeen = true;
      if (r.method !== method) continue;
      const params: Record<string, string> = {};
      r.names.forEach((n, i) => (params[n] = safeDecode(m[i + 1]!)));
      return { handler: r.handler, params };
    }
    return pathSeen ? 'method' : undefined;
  }
}
