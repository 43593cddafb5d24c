import { invitationList, memberList } from '@gatehouse/contracts';
import type { Metadata } from 'next';
import { ApiError } from '@/components/api-error';
import { Card } from '@/components/card';
import { DataTable, Listing } from '@/components/listing';
import { InviteForm, MemberActions, RevokeInvitation } from '@/components/members';
import { NotAllowed } from '@/components/not-allowed';
import { when } from '@/lib/format';
import type { TenantPageProps } from '@/lib/paths';
import { apiGet } from '@/lib/server-api';
import { tenantContext } from '@/lib/session';

export const metadata: Metadata = { title: 'Members' };

export default async function MembersPage({ params }: TenantPageProps) {
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
      <Card id="members-title" level={1} title="Members">
        {!members.ok ? (
          <ApiError message={members.message} />
        ) : (
          <DataTable columns={['Name', 'Email', 'Role', 'Joined', 'Actions']} caption={`Members of ${tenant.name}`}>
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
          </DataTable>
        )}
      </Card>
      <Card id="invite-title" title="Invite someone">
        <InviteForm slug={slug} canInviteOwner={isOwner} />
      </Card>
      <Card id="pending-title" title="Pending invitations">
        <Listing result={invitations} rows={(data) => data.invitations} empty="No pending invitations.">
          {(list) => (
            <DataTable columns={['Email', 'Role', 'Expires', 'Actions']}>
              {list.map((invitation) => (
                <tr key={invitation.id}>
                  <td>{invitation.email}</td>
                  <td>{invitation.role}</td>
                  <td>{when(invitation.expiresAt)}</td>
                  <td>
                    <RevokeInvitation slug={slug} id={invitation.id} email={invitation.email} />
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Listing>
      </Card>
    </>
  );
}
