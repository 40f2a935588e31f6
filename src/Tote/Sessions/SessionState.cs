namespace Tote.Sessions;

/// <summary>Where a request's session stands; see <see cref="LoadedSession"/>.</summary>
internal enum SessionState
{
    /// <summary>Not looked at yet: the client may have sent an ID, which is not verified.</summary>
    Unresolved,

    /// <summary>No session: none was sent, the one sent is unknown, or it was destroyed.</summary>
    Absent,

    /// <summary>Stored, under a verified ID.</summary>
    Existing,

    /// <summary>Freshly issued ID, not stored yet.</summary>
    Fresh,
}
