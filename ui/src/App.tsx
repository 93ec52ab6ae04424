// The shell: header (namespace picker, version, shortcut help), routes, toasts.
import { useEffect, useState } from 'react';
import { api } from './api.ts';
import { Modal } from './components/Modal.tsx';
import { ToastProvider } from './components/Toasts.tsx';
import { RolloutsPage } from './pages/RolloutsPage.tsx';
import { RolloutPage } from './pages/RolloutPage.tsx';
import { Link, Router, matchRoute, useRouter } from './router.tsx';

const NS_KEY = 'namespace';

export function App() {
  return (
    <Router>
      <ToastProvider>
        <Shell />
      </ToastProvider>
    </Router>
  );
}

function storedNamespace(): string | undefined {
  try {
    return window.localStorage.getItem(NS_KEY) || undefined;
  } catch {
    return undefined;
  }
}

function Shell() {
  const { location, navigate } = useRouter();
  const route = matchRoute(location.path);
  const [serverNs, setServerNs] = useState<string>();
  const [available, setAvailable] = useState<string[]>([]);
  const [version, setVersion] = useState('');
  const [help, setHelp] = useState(false);
  const [chosen, setChosen] = useState<string | undefined>(storedNamespace);

  useEffect(() => {
    api.namespace().then(
      (r) => {
        setServerNs(r.namespace || 'default');
        setAvailable(r.availableNamespaces ?? []);
      },
      () => setServerNs('default'),
    );
    api.version().then(
      (r) => setVersion(r.rolloutsVersion ?? ''),
      () => undefined,
    );
  }, []);

  const routeNs = route.page === 'notFound' ? undefined : route.namespace;
  const namespace = routeNs ?? chosen ?? serverNs;

  const changeNamespace = (ns: string) => {
    const v = ns.trim();
    if (!v) return;
    setChosen(v);
    try {
      window.localStorage.setItem(NS_KEY, v);
    } catch {
      // ignore
    }
    navigate(`/${encodeURIComponent(v)}`);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'H' && e.shiftKey && !isTyping(e.target)) {
        e.preventDefault();
        setHelp((h) => !h);
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to={namespace ? `/${encodeURIComponent(namespace)}` : '/'} className="brand">
          <span className="brand-mark" aria-hidden="true">
            ⟳
          </span>
          Argo Rollouts
        </Link>
        <span className="version">{version ? `Rollouts ${version}` : 'Rollouts'}</span>
        <div className="header-spacer" />
        <NamespacePicker
          key={namespace}
          namespace={namespace ?? ''}
          available={available}
          onChange={changeNamespace}
        />
        <a
          className="header-link"
          href="https://argoproj.github.io/argo-rollouts/"
          target="_blank"
          rel="noreferrer"
        >
          Docs
        </a>
        <button
          type="button"
          className="icon-button header-button"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (Shift+H)"
          onClick={() => setHelp(true)}
        >
          ?
        </button>
      </header>
      <main id="main" className="app-main">
        {!namespace ? (
          <p className="muted">Loading…</p>
        ) : route.page === 'home' ? (
          <RolloutsPage namespace={namespace} />
        ) : route.page === 'rollout' ? (
          <RolloutPage key={`${namespace}/${route.name}`} namespace={namespace} name={route.name} />
        ) : (
          <div className="empty">
            <h1>Page not found</h1>
            <Link to="/">Back to the rollouts</Link>
          </div>
        )}
      </main>
      {help ? <ShortcutHelp onClose={() => setHelp(false)} /> : null}
    </>
  );
}

export function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}

function NamespacePicker({
  namespace,
  available,
  onChange,
}: {
  namespace: string;
  available: string[];
  onChange: (ns: string) => void;
}) {
  const [text, setText] = useState(namespace);
  if (available.length === 0) {
    return (
      <label className="namespace">
        <span>Namespace</span>
        <input value={namespace} readOnly aria-label="Namespace" />
      </label>
    );
  }
  return (
    <form
      className="namespace"
      onSubmit={(e) => {
        e.preventDefault();
        onChange(text);
      }}
    >
      <label>
        <span>Namespace</span>
        <input
          aria-label="Namespace"
          list="namespaces"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            // Picking from the list applies at once; typing waits for Enter.
            if (available.includes(e.target.value) && e.target.value !== namespace) {
              onChange(e.target.value);
            }
          }}
          onBlur={() => setText(namespace)}
        />
      </label>
      <datalist id="namespaces">
        {available.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
    </form>
  );
}

function ShortcutHelp({ onClose }: { onClose: () => void }) {
  const rows: [string, string][] = [
    ['/', 'Focus the search box'],
    ['Tab', 'Move between controls'],
    ['← ↑ → ↓', 'Move through the rollouts'],
    ['Enter', 'Open the selected rollout'],
    ['Esc', 'Close a dialog, leave the search box'],
    ['Shift + H', 'Show or hide this help'],
  ];
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
