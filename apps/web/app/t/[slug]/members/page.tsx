import { invitationList, memberList } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import { ApiError } from '@/components/api-error';
import { InviteForm, MemberActions, RevokeInvitation } from '@/components/members';
import { NotAllowed } from '@/components/not-allowed';
import { when } from '@/lib/format';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'Members' };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { tenant, session, isAdmin } = await tenantContext(slug, `/t/${slug}/members`);
  if (!isAdmin) return <NotAllowed slug={slug} what="Managing members" />;
  const [members, invitations] = await Promise.all([
    apiGet(`/api/v1/tenants/${slug}/members`, memberList),
    apiGet(`/api/v1/tenants/${slug}/invitations`, invitationList),
  ]);
  const isOwner = tenant.role === 'owner';
  return (
    <>
      <section className="card" aria-labelledby="members-title">
        <h1 id="members-title">Members</h1>
        {!members.ok ? (
          <ApiError message={members.message} />
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Members of {tenant.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {members.data.members.map((member) => (
                  <tr key={member.userId}>
                    <td>
                      {member.displayName}
                      {member.userId === session.user.id ? <span className="muted"> (you)</span> : null}
                    </td>
                    <td>{member.email}</td>
                    <td>
                      <span className="badge">{member.role}</span>
                    </td>
                    <td>{when(member.joinedAt)}</td>
                    <td>
                      <MemberActions
                        slug={slug}
                        userId={member.userId}
                        email={member.email}
                        role={member.role}
                        canManageOwners={isOwner}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="invite-title">
        <h2 id="invite-title">Invite someone</h2>
        <InviteForm slug={slug} canInviteOwner={isOwner} />
      </section>
      <section className="card" aria-labelledby="pending-title">
        <h2 id="pending-title">Pending invitations</h2>
        {!invitations.ok ? (
          <ApiError message={invitations.message} />
        ) : invitations.data.invitations.length === 0 ? (
          <p className="empty">No pending invitations.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {invitations.data.invitations.map((invitation) => (
                  <tr key={invitation.id}>
                    <td>{invitation.email}</td>
                    <td>{invitation.role}</td>
                    <td>{when(invitation.expiresAt)}</td>
                    <td>
                      <RevokeInvitation slug={slug} id={invitation.id} email={invitation.email} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
