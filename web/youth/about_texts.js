// What the youth widget's "about" and accessibility dialog says, in Finnish, Swedish and English
// (DOMAIN.md 4.1 and 4.4: rules, what is saved, the accessibility statement; 3.2: staying safe,
// what the quick exit does and does not do). What is saved and
// for how long comes from the server's settings (GET /api/public/about), and the organiser's
// part of the statement (who runs the chat, where feedback goes) from the coordinator.

export const ABOUT_TEXTS = {
  fi: {
    aboutLink: "Tietoa chatista",
    a11yLink: "Saavutettavuus",
    safetyLink: "Turvallinen käyttö",
    safetyTitle: "Turvallinen käyttö",
    safety: [
      ["Poistu nopeasti", "Punainen Poistu nopeasti -nappi vie sinut heti toiselle sivulle ja lopettaa chatin. Voit myös painaa Shift-näppäintä kolme kertaa. Takaisin-nappi ei tuo keskustelua takaisin."],
      ["Selaimen historia", "Laitteellesi ei jää viestejä. Selaimen historiaan voi silti jäädä merkintä tästä sivusta. Voit poistaa sen selaimen asetuksista kohdasta Historia. Yksityisessä ikkunassa (incognito) historiaa ei tallennu ollenkaan."],
      ["Yhteinen laite", "Jos käytät jonkun toisen tai yhteistä laitetta, avaa chat yksityisessä ikkunassa ja sulje välilehti, kun lopetat. Jos pelkäät, että joku seuraa, mitä teet laitteella, käytä toista laitetta, jos voit."],
    ],
    close: "Sulje",
    aboutTitle: "Tietoa chatista",
    rulesTitle: "Säännöt",
    rules:
      "Chat on lapsille ja nuorille, jotka haluavat jutella omista asioistaan. Lopetamme keskustelun, jos kirjoitat asiattomia viestejä.",
    savedTitle: "Mitä chatista jää talteen",
    saved: (days, months) => [
      "Sinun ei tarvitse kertoa nimeäsi tai muita tietoja itsestäsi.",
      "Emme tallenna IP-osoitettasi emmekä tietoja laitteestasi.",
      days === 0
        ? "Viestit poistetaan pian sen jälkeen, kun chat päättyy."
        : days
          ? `Viestit poistetaan ${days} päivän kuluttua siitä, kun chat päättyi. Vain chatin aikuiset voivat lukea niitä.`
          : "Viestit poistetaan automaattisesti chatin jälkeen. Vain chatin aikuiset voivat lukea niitä.",
      "Kun lopetat chatin, voit valita, että viestit poistetaan heti.",
      `Aikuinen tekee chatista tilastomerkinnän, esimerkiksi mistä aiheesta puhuttiin. Siinä ei ole viestejäsi eikä mitään, mistä sinut voi tunnistaa.${months ? ` Merkintä säilyy ${months} kuukautta, sen jälkeen jäävät vain lukumäärät.` : ""}`,
      "Laitteellesi jää vain tämän välilehden tieto chatista. Se häviää, kun suljet välilehden tai painat Poistu nopeasti.",
    ],
    a11yTitle: "Saavutettavuusseloste",
    a11yStatus:
      "Haluamme, että kuka tahansa voi käyttää tätä chattia, myös näppäimistöllä, ruudunlukijalla tai suurennettuna. Chat täyttää digipalvelulain (306/2019) saavutettavuusvaatimukset (WCAG 2.1, taso AA) osittain: emme tiedä puutteista, mutta ulkopuolinen asiantuntija ei ole vielä arvioinut chattia.",
    a11yChecked:
      "Jokaisen muutoksen yhteydessä tarkistamme koneellisesti (axe), että chatin jokainen näkymä täyttää WCAG 2.1 AA -vaatimukset ja että chattia voi käyttää alusta loppuun pelkällä näppäimistöllä.",
    a11yFeedbackTitle: "Palaute saavutettavuudesta",
    a11yInChat: "Voit kertoa puutteesta myös tässä chatissa, kun chat on auki.",
    a11yEnforcementTitle: "Valvontaviranomainen",
    a11yEnforcement:
      "Jos et saa vastausta 14 päivän kuluessa tai vastaus ei tyydytä sinua, voit kertoa asiasta valvontaviranomaiselle: Liikenne- ja viestintävirasto Traficom, saavutettavuusvalvonta. Lisätietoa: www.saavutettavuusvaatimukset.fi.",
    endTitle: "Lopetetaanko chat?",
    forget: "Poista viestit heti. Kukaan ei voi lukea niitä enää.",
    endConfirm: "Lopeta chat",
    endCancel: "Jatka chattia",
  },
  sv: {
    aboutLink: "Om chatten",
    a11yLink: "Tillgänglighet",
    safetyLink: "Säker användning",
    safetyTitle: "Säker användning",
    safety: [
      ["Lämna snabbt", "Den röda knappen Lämna snabbt tar dig genast till en annan sida och avslutar chatten. Du kan också trycka på Shift tre gånger. Bakåt-knappen tar inte tillbaka samtalet."],
      ["Webbläsarens historik", "Inga meddelanden sparas på din enhet. Men sidan kan synas i webbläsarens historik. Du kan radera den i webbläsarens inställningar under Historik. I ett privat fönster (inkognito) sparas ingen historik alls."],
      ["En delad enhet", "Om du använder någon annans enhet eller en delad enhet, öppna chatten i ett privat fönster och stäng fliken när du slutar. Om du är rädd att någon följer med vad du gör på enheten, använd en annan enhet om du kan."],
    ],
    close: "Stäng",
    aboutTitle: "Om chatten",
    rulesTitle: "Regler",
    rules:
      "Chatten är för barn och unga som vill prata om sina egna saker. Vi avslutar chatten om du skriver olämpliga meddelanden.",
    savedTitle: "Vad som sparas om chatten",
    saved: (days, months) => [
      "Du behöver inte berätta vad du heter eller något annat om dig själv.",
      "Vi sparar inte din IP-adress eller uppgifter om din enhet.",
      days === 0
        ? "Meddelandena raderas strax efter att chatten har slutat."
        : days
          ? `Meddelandena raderas ${days} dagar efter att chatten har slutat. Bara de vuxna i chatten kan läsa dem.`
          : "Meddelandena raderas automatiskt efter chatten. Bara de vuxna i chatten kan läsa dem.",
      "När du avslutar chatten kan du välja att meddelandena raderas genast.",
      `Den vuxna gör en anteckning för statistiken, till exempel vad ni pratade om. Den innehåller inte dina meddelanden eller något som kan visa vem du är.${months ? ` Anteckningen sparas i ${months} månader, sedan finns bara antalen kvar.` : ""}`,
      "På din enhet sparas bara den här flikens koppling till chatten. Den försvinner när du stänger fliken eller trycker på Lämna snabbt.",
    ],
    a11yTitle: "Tillgänglighetsutlåtande",
    a11yStatus:
      "Vi vill att alla ska kunna använda chatten, också med tangentbord, skärmläsare eller förstoring. Chatten uppfyller delvis tillgänglighetskraven i lagen om tillhandahållande av digitala tjänster (306/2019) (WCAG 2.1, nivå AA): vi känner inte till några brister, men ingen utomstående expert har ännu granskat chatten.",
    a11yChecked:
      "Vid varje ändring kontrollerar vi maskinellt (axe) att varje vy i chatten uppfyller WCAG 2.1 AA och att hela chatten kan användas med bara tangentbordet.",
    a11yFeedbackTitle: "Respons om tillgänglighet",
    a11yInChat: "Du kan också berätta om en brist här i chatten när den är öppen.",
    a11yEnforcementTitle: "Tillsynsmyndighet",
    a11yEnforcement:
      "Om du inte får svar inom 14 dagar eller inte är nöjd med svaret kan du kontakta tillsynsmyndigheten: Transport- och kommunikationsverket Traficom, tillgänglighetstillsynen. Mer information: www.saavutettavuusvaatimukset.fi.",
    endTitle: "Vill du avsluta chatten?",
    forget: "Radera meddelandena genast. Ingen kan läsa dem längre.",
    endConfirm: "Avsluta chatten",
    endCancel: "Fortsätt chatta",
  },
  en: {
    aboutLink: "About the chat",
    a11yLink: "Accessibility",
    safetyLink: "Staying safe",
    safetyTitle: "Staying safe",
    safety: [
      ["Leave quickly", "The red Leave quickly button takes you to another page at once and ends the chat. You can also press Shift three times. The Back button does not bring the conversation back."],
      ["Browser history", "No messages stay on your device. But your browser history may still show this page. You can delete it in your browser's settings under History. A private window (incognito) keeps no history at all."],
      ["A shared device", "If you use someone else's device or a shared one, open the chat in a private window and close the tab when you finish. If you are afraid someone is watching what you do on the device, use another device if you can."],
    ],
    close: "Close",
    aboutTitle: "About the chat",
    rulesTitle: "Rules",
    rules:
      "The chat is for children and young people who want to talk about their own things. We end the chat if you write inappropriate messages.",
    savedTitle: "What is kept of the chat",
    saved: (days, months) => [
      "You do not have to tell your name or anything else about yourself.",
      "We do not save your IP address or details of your device.",
      days === 0
        ? "The messages are deleted soon after the chat ends."
        : days
          ? `The messages are deleted ${days} days after the chat ended. Only the adults in the chat can read them.`
          : "The messages are deleted automatically after the chat. Only the adults in the chat can read them.",
      "When you end the chat, you can choose to have the messages deleted at once.",
      `The adult makes a note of the chat for statistics, for example what you talked about. It has none of your messages and nothing that could show who you are.${months ? ` The note is kept for ${months} months; after that only the numbers remain.` : ""}`,
      "Your device keeps only this tab's link to the chat. It is gone when you close the tab or press Leave quickly.",
    ],
    a11yTitle: "Accessibility statement",
    a11yStatus:
      "We want everyone to be able to use this chat, also with a keyboard, a screen reader or zoom. The chat partly meets the accessibility requirements of the Act on the Provision of Digital Services (306/2019), WCAG 2.1 level AA: we know of no gaps, but no outside expert has assessed the chat yet.",
    a11yChecked:
      "With every change we check automatically (axe) that every view of the chat meets WCAG 2.1 AA and that the whole chat can be used with the keyboard alone.",
    a11yFeedbackTitle: "Feedback on accessibility",
    a11yInChat: "You can also tell us about a problem here in the chat while it is open.",
    a11yEnforcementTitle: "Supervisory authority",
    a11yEnforcement:
      "If you get no answer within 14 days, or you are not happy with the answer, you can contact the supervisory authority: the Finnish Transport and Communications Agency Traficom, accessibility supervision. More: www.saavutettavuusvaatimukset.fi.",
    endTitle: "Do you want to end the chat?",
    forget: "Delete the messages now. Nobody can read them any more.",
    endConfirm: "End chat",
    endCancel: "Keep chatting",
  },
};
