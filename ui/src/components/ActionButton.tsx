import { useState, type ReactNode } from 'react';
import { errorText } from '../api.ts';
import { Modal } from './Modal.tsx';
import { useToast } from './Toasts.tsx';

/**
 * A button that asks for confirmation, then runs `run`; failures become error toasts
 * (HTTP 403 reads "Permission Denied").
 */
export function ActionButton({
  label,
  confirm,
  run,
  disabled,
  title,
  className,
  children,
  ariaLabel,
}: {
  label: string;
  confirm: ReactNode;
  run: () => Promise<unknown>;
  disabled?: boolean;
  title?: string;
  className?: string;
  children?: ReactNode;
  ariaLabel?: string;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const toast = useToast();
  const go = () => {
    setAsking(false);
    setBusy(true);
    run().then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        toast('error', `${label} failed: ${errorText(e)}`);
      },
    );
  };
  return (
    <>
      <button
        type="button"
        className={className ?? 'button'}
        disabled={disabled || busy}
        title={title}
        aria-label={ariaLabel}
        onClick={(e) => {
          e.stopPropagation();
          setAsking(true);
        }}
      >
        {children ?? label}
      </button>
      {asking ? (
        <Modal
          title={`${label}?`}
          onClose={() => setAsking(false)}
          footer={
            <>
              <button type="button" className="button" onClick={() => setAsking(false)}>
                Cancel
              </button>
              <button type="button" className="button primary" data-autofocus onClick={go}>
                Confirm
              </button>
            </>
          }
        >
          <p>{confirm}</p>
        </Modal>
      ) : null}
    </>
  );
}
