// Settings: the account (name, CORS origins, notification emails), the plan's limits and this
// month's quota use, and the person's own sessions.
import { PageHeader } from '../components/page-header.tsx';
import { SettingsAccount } from '../components/settings-account-form.tsx';
import { SettingsLimits } from '../components/settings-limits.tsx';
import { SettingsSessions } from '../components/settings-sessions.tsx';
import './keys.css';

export function SettingsPage() {
  return (
    <section className="keys-area">
      <PageHeader title="Settings" description="Your account, its plan and limits, and where you are signed in." />
      <SettingsAccount />
      <SettingsLimits />
      <SettingsSessions />
    </section>
  );
}
