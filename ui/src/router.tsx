// A tiny history router for the two routes (§3.6), relative to the <base> tag's path.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';

/** `/rollouts/` from `<base href="/rollouts/" />` (always ends with '/'). */
export function basePath(): string {
  const href = document.querySelector('base')?.getAttribute('href') ?? '/';
  const p = new URL(href, window.location.origin).pathname;
  return p.endsWith('/') ? p : `${p}/`;
}

export interface Location {
  /** The path inside the app, starting with '/'. */
  path: string;
  search: URLSearchParams;
}

function current(): Location {
  const base = basePath();
  const pathname = window.location.pathname;
  const inner = pathname.startsWith(base)
    ? pathname.slice(base.length)
    : pathname.replace(/^\//, '');
  return { path: `/${inner}`, search: new URLSearchParams(window.location.search) };
}

interface RouterValue {
  location: Location;
  navigate: (to: string, opts?: { replace?: boolean }) => void;
}

const RouterContext = createContext<RouterValue | undefined>(undefined);

export function Router({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const on = () => setLocation(current());
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  const navigate = (to: string, opts: { replace?: boolean } = {}) => {
    const url = hrefOf(to);
    if (opts.replace) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    setLocation(current());
  };
  return <RouterContext.Provider value={{ location, navigate }}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  const v = useContext(RouterContext);
  if (!v) throw new Error('useRouter outside <Router>');
  return v;
}

/** An app path (`/rollout/ns/name?x=1`) as a URL under the base path. */
export function hrefOf(to: string): string {
  return basePath() + to.replace(/^\//, '');
}

/** A link that navigates without reloading the page. */
export function Link({
  to,
  children,
  className,
  ...rest
}: { to: string; children: ReactNode; className?: string } & Omit<
  React.AnchorHTMLAttributes<HTMLAnchorElement>,
  'href'
>) {
  const { navigate } = useRouter();
  return (
    <a
      {...rest}
      className={className}
      href={hrefOf(to)}
      onClick={(e) => {
        rest.onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export type Route =
  | { page: 'home'; namespace?: string }
  | { page: 'rollout'; namespace?: string; name: string }
  | { page: 'notFound' };

/** `/:namespace?` and `/rollout/:namespace?/:name`. */
export function matchRoute(path: string): Route {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  if (parts[0] === 'rollout') {
    if (parts.length === 3) return { page: 'rollout', namespace: parts[1], name: parts[2]! };
    if (parts.length === 2) return { page: 'rollout', name: parts[1]! };
    return { page: 'notFound' };
  }
  if (parts.length === 0) return { page: 'home' };
  if (parts.length === 1) return { page: 'home', namespace: parts[0] };
  return { page: 'notFound' };
}
